def build(n):
    data = list(range(n))
    text = "x" * (n * 3)
    table = {i: str(i) * 3 for i in range(n // 10)}
    nested = [[i] * 50 for i in range(20)]
    data[0] = -1
    return len(data) + len(text) + len(table) + len(nested)


print(build(5000))
