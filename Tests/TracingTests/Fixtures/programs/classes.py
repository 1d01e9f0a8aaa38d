class Account:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance
        self.history = []

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("amount must be positive")
        self.balance += amount
        self.history.append(("deposit", amount))
        return self.balance

    def __repr__(self):
        return "Account(%r, %d)" % (self.owner, self.balance)


class Plain:
    def __init__(self, x):
        self.x = x


class Broken:
    def __repr__(self):
        raise RuntimeError("no repr")


def main():
    acct = Account("ada")
    acct.deposit(10)
    acct.deposit(5)
    p = Plain(3)
    b = Broken()
    try:
        acct.deposit(-1)
    except ValueError as e:
        err = e
    return acct.balance, p.x


print(main())
