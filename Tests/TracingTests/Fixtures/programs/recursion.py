def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def hanoi(n, a, b, c, moves):
    if n == 0:
        return moves
    hanoi(n - 1, a, c, b, moves)
    moves.append((a, c))
    return hanoi(n - 1, b, a, c, moves)


print(fib(6), len(hanoi(3, "A", "B", "C", [])))
