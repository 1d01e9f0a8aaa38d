def countdown(n):
    while n > 0:
        yield n
        n -= 1
    return "done"


def pairs(xs):
    it = iter(xs)
    for a in it:
        b = next(it, None)
        yield a, b


def consume():
    seen = []
    for v in countdown(3):
        seen.append(v)
    gen = pairs([1, 2, 3])
    first = next(gen)
    rest = list(gen)
    squares = [x * x for x in seen]
    return seen, first, rest, sum(x for x in squares)


print(consume())
