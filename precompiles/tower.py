"""The degree-12 extension tower shared by the pairing-friendly curves BN254 and BLS12-381:
Fp2 = Fp[u]/(u^2 + 1), Fp6 = Fp2[v]/(v^3 - xi), Fp12 = Fp6[w]/(w^2 - v), xi = k + u.

Typed Python for mypyc: elements are tuples of ints; a `Tower` holds the modulus, xi and the
Frobenius constants, and is immutable (shared freely between threads).
"""

from __future__ import annotations

from typing import Final, final

from mypy_extensions import i64

Fp2 = tuple[int, int]
Fp6 = tuple[Fp2, Fp2, Fp2]
Fp12 = tuple[Fp6, Fp6]

FP2_ZERO: Final = (0, 0)
FP2_ONE: Final = (1, 0)
FP6_ZERO: Final = (FP2_ZERO, FP2_ZERO, FP2_ZERO)
FP6_ONE: Final = (FP2_ONE, FP2_ZERO, FP2_ZERO)
FP12_ONE: Final = (FP6_ONE, FP6_ZERO)


@final
class Tower:
    p: Final[int]
    xi_k: Final[int]  # xi = xi_k + u
    gamma_v: Final[Fp2]  # xi^((p-1)/3): Frobenius on v
    gamma_v2: Final[Fp2]  # xi^(2(p-1)/3): Frobenius on v^2
    gamma_w: Final[Fp2]  # xi^((p-1)/6): Frobenius on w

    def __init__(self, p: int, xi_k: int) -> None:
        self.p = p
        self.xi_k = xi_k
        xi = (xi_k, 1)
        self.gamma_v = self.f2_pow(xi, (p - 1) // 3)
        self.gamma_v2 = self.f2_pow(xi, 2 * (p - 1) // 3)
        self.gamma_w = self.f2_pow(xi, (p - 1) // 6)

    # --- Fp2 --------------------------------------------------------------------------------
    def f2_add(self, a: Fp2, b: Fp2) -> Fp2:
        p = self.p
        return ((a[0] + b[0]) % p, (a[1] + b[1]) % p)

    def f2_sub(self, a: Fp2, b: Fp2) -> Fp2:
        p = self.p
        return ((a[0] - b[0]) % p, (a[1] - b[1]) % p)

    def f2_neg(self, a: Fp2) -> Fp2:
        p = self.p
        return (-a[0] % p, -a[1] % p)

    def f2_mul(self, a: Fp2, b: Fp2) -> Fp2:
        p = self.p
        a0, a1 = a
        b0, b1 = b
        t0 = a0 * b0
        t1 = a1 * b1
        return ((t0 - t1) % p, ((a0 + a1) * (b0 + b1) - t0 - t1) % p)

    def f2_square(self, a: Fp2) -> Fp2:
        p = self.p
        a0, a1 = a
        return ((a0 + a1) * (a0 - a1) % p, 2 * a0 * a1 % p)

    def f2_scale(self, a: Fp2, k: int) -> Fp2:
        p = self.p
        return (a[0] * k % p, a[1] * k % p)

    def f2_inverse(self, a: Fp2) -> Fp2:
        p = self.p
        a0, a1 = a
        inverse = pow(a0 * a0 + a1 * a1, -1, p)
        return (a0 * inverse % p, -a1 * inverse % p)

    def f2_conjugate(self, a: Fp2) -> Fp2:
        return (a[0], -a[1] % self.p)

    def f2_mul_xi(self, a: Fp2) -> Fp2:
        p = self.p
        k = self.xi_k
        a0, a1 = a
        return ((k * a0 - a1) % p, (a0 + k * a1) % p)

    def f2_pow(self, a: Fp2, exponent: int) -> Fp2:
        result = FP2_ONE
        base = a
        while exponent > 0:
            if exponent & 1:
                result = self.f2_mul(result, base)
            base = self.f2_square(base)
            exponent >>= 1
        return result

    # --- Fp6 --------------------------------------------------------------------------------
    def f6_add(self, a: Fp6, b: Fp6) -> Fp6:
        return (self.f2_add(a[0], b[0]), self.f2_add(a[1], b[1]), self.f2_add(a[2], b[2]))

    def f6_sub(self, a: Fp6, b: Fp6) -> Fp6:
        return (self.f2_sub(a[0], b[0]), self.f2_sub(a[1], b[1]), self.f2_sub(a[2], b[2]))

    def f6_neg(self, a: Fp6) -> Fp6:
        return (self.f2_neg(a[0]), self.f2_neg(a[1]), self.f2_neg(a[2]))

    def f6_mul(self, a: Fp6, b: Fp6) -> Fp6:
        """Karatsuba over Fp2 with v^3 = xi."""
        a0, a1, a2 = a
        b0, b1, b2 = b
        t0 = self.f2_mul(a0, b0)
        t1 = self.f2_mul(a1, b1)
        t2 = self.f2_mul(a2, b2)
        c0 = self.f2_add(
            self.f2_mul_xi(self.f2_sub(self.f2_sub(self.f2_mul(self.f2_add(a1, a2), self.f2_add(b1, b2)), t1), t2)), t0
        )
        c1 = self.f2_add(
            self.f2_sub(self.f2_sub(self.f2_mul(self.f2_add(a0, a1), self.f2_add(b0, b1)), t0), t1), self.f2_mul_xi(t2)
        )
        c2 = self.f2_add(self.f2_sub(self.f2_sub(self.f2_mul(self.f2_add(a0, a2), self.f2_add(b0, b2)), t0), t2), t1)
        return (c0, c1, c2)

    def f6_mul_v(self, a: Fp6) -> Fp6:
        return (self.f2_mul_xi(a[2]), a[0], a[1])

    def f6_inverse(self, a: Fp6) -> Fp6:
        a0, a1, a2 = a
        c0 = self.f2_sub(self.f2_square(a0), self.f2_mul_xi(self.f2_mul(a1, a2)))
        c1 = self.f2_sub(self.f2_mul_xi(self.f2_square(a2)), self.f2_mul(a0, a1))
        c2 = self.f2_sub(self.f2_square(a1), self.f2_mul(a0, a2))
        norm = self.f2_add(self.f2_mul(a0, c0), self.f2_mul_xi(self.f2_add(self.f2_mul(a2, c1), self.f2_mul(a1, c2))))
        inverse = self.f2_inverse(norm)
        return (self.f2_mul(c0, inverse), self.f2_mul(c1, inverse), self.f2_mul(c2, inverse))

    def f6_frobenius(self, a: Fp6) -> Fp6:
        return (
            self.f2_conjugate(a[0]),
            self.f2_mul(self.f2_conjugate(a[1]), self.gamma_v),
            self.f2_mul(self.f2_conjugate(a[2]), self.gamma_v2),
        )

    # --- Fp12 -------------------------------------------------------------------------------
    def f12_mul(self, a: Fp12, b: Fp12) -> Fp12:
        a0, a1 = a
        b0, b1 = b
        t0 = self.f6_mul(a0, b0)
        t1 = self.f6_mul(a1, b1)
        c1 = self.f6_sub(self.f6_sub(self.f6_mul(self.f6_add(a0, a1), self.f6_add(b0, b1)), t0), t1)
        return (self.f6_add(t0, self.f6_mul_v(t1)), c1)

    def f12_square(self, a: Fp12) -> Fp12:
        a0, a1 = a
        t = self.f6_mul(a0, a1)
        c0 = self.f6_sub(
            self.f6_sub(self.f6_mul(self.f6_add(a0, a1), self.f6_add(a0, self.f6_mul_v(a1))), t), self.f6_mul_v(t)
        )
        return (c0, self.f6_add(t, t))

    def f12_conjugate(self, a: Fp12) -> Fp12:
        return (a[0], self.f6_neg(a[1]))

    def f12_inverse(self, a: Fp12) -> Fp12:
        a0, a1 = a
        inverse = self.f6_inverse(self.f6_sub(self.f6_mul(a0, a0), self.f6_mul_v(self.f6_mul(a1, a1))))
        return (self.f6_mul(a0, inverse), self.f6_neg(self.f6_mul(a1, inverse)))

    def f12_frobenius(self, a: Fp12, times: i64) -> Fp12:
        """a ** (p ** times)."""
        for _ in range(times):
            c1 = self.f6_frobenius(a[1])
            gamma = self.gamma_w
            a = (self.f6_frobenius(a[0]), (self.f2_mul(c1[0], gamma), self.f2_mul(c1[1], gamma), self.f2_mul(c1[2], gamma)))
        return a

    def final_exponentiation(self, f: Fp12, hard_digits: tuple[int, ...]) -> Fp12:
        """f ** ((p^12 - 1) / r): the easy part (p^6 - 1)(p^2 + 1) by conjugation and Frobenius,
        the hard part (p^4 - p^2 + 1) / r as a product of Frobenius powers raised to its base-p
        digits, sharing one chain of squarings."""
        f = self.f12_mul(self.f12_conjugate(f), self.f12_inverse(f))
        f = self.f12_mul(self.f12_frobenius(f, 2), f)
        bases = [f, self.f12_frobenius(f, 1), self.f12_frobenius(f, 2), self.f12_frobenius(f, 3)]
        result = FP12_ONE
        top = max(digit.bit_length() for digit in hard_digits)
        for bit in range(top - 1, -1, -1):
            result = self.f12_square(result)
            for index in range(4):
                if (hard_digits[index] >> bit) & 1:
                    result = self.f12_mul(result, bases[index])
        return result


def hard_part_digits(p: int, r: int) -> tuple[int, ...]:
    """(p^4 - p^2 + 1) / r written in base p (four digits)."""
    hard = (p**4 - p**2 + 1) // r
    return tuple((hard // p**index) % p for index in range(4))
