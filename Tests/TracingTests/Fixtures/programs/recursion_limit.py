import sys
def down(n):
    try:
        return down(n + 1)
    except RecursionError:
        return n
print(down(0))
def count(n):
    return 0 if n == 0 else 1 + count(n - 1)
print(count(990))
