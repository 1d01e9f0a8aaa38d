import sys


def parse(text):
    try:
        value = int(text)
    except ValueError as err:
        value = None
        message = str(err)
    finally:
        done = True
    return value


def check(n):
    if n < 0:
        raise ValueError("negative: %d" % n)
    return n


def caller(xs):
    out = []
    for x in xs:
        try:
            out.append(check(x))
        except ValueError:
            out.append(0)
    return out


print(parse("12"), parse("x1"), caller([1, -2, 3]))
d = {}
try:
    d["missing"]
except KeyError as e:
    print("key", e)
check(-5)
