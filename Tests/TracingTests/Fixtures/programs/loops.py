def total(xs):
    s = 0
    for i, x in enumerate(xs):
        if x % 2:
            s += x * i
        else:
            s -= 1
    return s


def running(n):
    acc = []
    k = 0
    while k < n:
        acc.append(k * k)
        k += 1
    return acc


values = running(6)
print(total(values), values)
