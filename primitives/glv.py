"""Scalar multiplication on a = 0 curves with the endomorphism phi(x, y) = (beta x, y) = lambda (x, y)
(Gallant, Lambert, Vanstone): a scalar k splits into k1 + k2 lambda with k1, k2 about half its
size, so k P = k1 P + k2 phi(P) costs half the doublings. Each half is in wNAF form over a table
of P's odd multiples made affine with one shared inversion, so every addition is a mixed one.
secp256k1's fallback backend and BN254's G1 (the ecMul precompile) use it. Typed for mypyc; a
`Glv` is immutable, shared freely between threads.
"""

from __future__ import annotations

from typing import Final, final

from primitives import jacobian

Affine = tuple[int, int]


@final
class Glv:
    """A curve's endomorphism and a short basis (a1, b1), (a2, b2) of the lattice
    {(a, b): a + b lambda = 0 mod n}, for splitting scalars."""

    p: Final[int]
    n: Final[int]
    beta: Final[int]
    a1: Final[int]
    b1: Final[int]
    a2: Final[int]
    b2: Final[int]

    def __init__(self, p: int, n: int, beta: int, a1: int, b1: int, a2: int, b2: int) -> None:
        self.p = p
        self.n = n
        self.beta = beta
        self.a1 = a1
        self.b1 = b1
        self.a2 = a2
        self.b2 = b2

    def split(self, k: int) -> tuple[int, int]:
        """(k1, k2) with k1 + k2 lambda = k mod n, both about sqrt(n) in size, for 0 <= k < n."""
        n = self.n
        c1 = (2 * self.b2 * k + n) // (2 * n)
        c2 = (-2 * self.b1 * k + n) // (2 * n)
        return k - c1 * self.a1 - c2 * self.a2, -c1 * self.b1 - c2 * self.b2

    def endomorphism(self, table: list[Affine]) -> list[Affine]:
        """lambda times each point: (beta x, y)."""
        beta = self.beta
        p = self.p
        return [(beta * x % p, y) for x, y in table]

    def multiply(self, point: jacobian.Point, k: int, width: int) -> jacobian.Point:
        """k P for P of prime order n > 2^(width-1), 0 <= k < n."""
        if point[2] == 0 or k == 0:
            return jacobian.INFINITY
        p = self.p
        k1, k2 = self.split(k)
        table = odd_multiples(point, 1 << (width - 2), p)
        return combine([(wnaf(k1, width), table), (wnaf(k2, width), self.endomorphism(table))], p)


def wnaf(k: int, width: int) -> list[int]:
    """Width-w NAF digits of k, least significant first: 0 or odd, |digit| < 2^(width-1)."""
    sign = 1
    if k < 0:
        sign = -1
        k = -k
    window = 1 << width
    digits: list[int] = []
    while k > 0:
        digit = 0
        if k & 1:
            digit = k & (window - 1)
            if digit >= window >> 1:
                digit -= window
            k -= digit
        digits.append(sign * digit)
        k >>= 1
    return digits


def odd_multiples(point: jacobian.Point, count: int, p: int) -> list[Affine]:
    """P, 3P, 5P, ... (count of them) in affine form, sharing one inversion (Montgomery's trick).

    `point` must be finite with an order above 2 * count (true of every point of a prime-order
    curve)."""
    twice = jacobian.double(point, p)
    multiples = [point]
    for _ in range(count - 1):
        multiples.append(jacobian.add(multiples[-1], twice, p))
    prefix = [1]
    for item in multiples:
        prefix.append(prefix[-1] * item[2] % p)
    inverse = pow(prefix[-1], -1, p)
    out: list[Affine] = [(0, 0)] * count
    for index in range(count - 1, -1, -1):
        x, y, z = multiples[index]
        z_inverse = inverse * prefix[index] % p
        inverse = inverse * z % p
        z_inverse2 = z_inverse * z_inverse % p
        out[index] = (x * z_inverse2 % p, y * z_inverse2 * z_inverse % p)
    return out


def combine(terms: list[tuple[list[int], list[Affine]]], p: int) -> jacobian.Point:
    """The sum of d P over the terms (the wNAF digits d of a scalar, P's odd multiples), sharing
    one chain of doublings (Straus)."""
    result = jacobian.INFINITY
    for index in range(max(len(digits) for digits, _ in terms) - 1, -1, -1):
        result = jacobian.double(result, p)
        for digits, table in terms:
            result = add_digit(result, digits, index, table, p)
    return result


def add_digit(result: jacobian.Point, digits: list[int], index: int, table: list[Affine], p: int) -> jacobian.Point:
    """result + digit * P, where table holds P's odd multiples and digit = digits[index]."""
    if index >= len(digits):
        return result
    digit = digits[index]
    if digit > 0:
        x, y = table[digit >> 1]
        return jacobian.add_affine(result, x, y, p)
    if digit < 0:
        x, y = table[(-digit) >> 1]
        return jacobian.add_affine(result, x, p - y, p)
    return result
