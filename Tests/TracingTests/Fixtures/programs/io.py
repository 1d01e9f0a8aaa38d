import sys


def read_numbers(stream):
    numbers = []
    for line in stream:
        numbers.extend(int(x) for x in line.split())
    return numbers


numbers = read_numbers(sys.stdin)
print("sum", sum(numbers), "args", sys.argv[1:])
print("warning: exiting with 3", file=sys.stderr)
sys.exit(3)
