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
    half: Final[int]  # 1/2

    def __init__(self, p: int, xi_k: int) -> None:
        self.p = p
        self.xi_k = xi_k
        self.half = (p + 1) // 2
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
        """Karatsuba over Fp2 with v^3 = xi, on plain integers reduced once per coefficient (the
        reductions, not the products, dominate at this size). Inputs may be unreduced."""
        p = self.p
        k = self.xi_k
        (a00, a01), (a10, a11), (a20, a21) = a
        (b00, b01), (b10, b11), (b20, b21) = b
        t00 = a00 * b00 - a01 * b01  # t0 = a0 b0
        t01 = a00 * b01 + a01 * b00
        t10 = a10 * b10 - a11 * b11  # t1 = a1 b1
        t11 = a10 * b11 + a11 * b10
        t20 = a20 * b20 - a21 * b21  # t2 = a2 b2
        t21 = a20 * b21 + a21 * b20
        x0, x1, y0, y1 = a10 + a20, a11 + a21, b10 + b20, b11 + b21
        s0 = x0 * y0 - x1 * y1 - t10 - t20  # a1 b2 + a2 b1
        s1 = x0 * y1 + x1 * y0 - t11 - t21
        x0, x1, y0, y1 = a00 + a10, a01 + a11, b00 + b10, b01 + b11
        u0 = x0 * y0 - x1 * y1 - t00 - t10  # a0 b1 + a1 b0
        u1 = x0 * y1 + x1 * y0 - t01 - t11
        x0, x1, y0, y1 = a00 + a20, a01 + a21, b00 + b20, b01 + b21
        w0 = x0 * y0 - x1 * y1 - t00 - t20  # a0 b2 + a2 b0
        w1 = x0 * y1 + x1 * y0 - t01 - t21
        return (
            ((t00 + k * s0 - s1) % p, (t01 + s0 + k * s1) % p),  # t0 + xi (a1 b2 + a2 b1)
            ((u0 + k * t20 - t21) % p, (u1 + t20 + k * t21) % p),  # a0 b1 + a1 b0 + xi t2
            ((w0 + t10) % p, (w1 + t11) % p),  # a0 b2 + a2 b0 + t1
        )

    def f6_mul_by_0(self, a: Fp6, b: Fp2) -> Fp6:
        """a * b for b in Fp2."""
        return (self.f2_mul(a[0], b), self.f2_mul(a[1], b), self.f2_mul(a[2], b))

    def f6_mul_by_01(self, a: Fp6, b: Fp2, c: Fp2) -> Fp6:
        """a * (b + c v), the shape of the Miller loop's lines: a2 c v^3 = xi a2 c."""
        p = self.p
        k = self.xi_k
        (a00, a01), (a10, a11), (a20, a21) = a
        b0, b1 = b
        c0, c1 = c
        t00 = a00 * b0 - a01 * b1  # a0 b
        t01 = a00 * b1 + a01 * b0
        t10 = a10 * c0 - a11 * c1  # a1 c
        t11 = a10 * c1 + a11 * c0
        s0 = a20 * c0 - a21 * c1  # a2 c
        s1 = a20 * c1 + a21 * c0
        return (
            ((t00 + k * s0 - s1) % p, (t01 + s0 + k * s1) % p),
            ((a00 * c0 - a01 * c1 + a10 * b0 - a11 * b1) % p, (a00 * c1 + a01 * c0 + a10 * b1 + a11 * b0) % p),
            ((t10 + a20 * b0 - a21 * b1) % p, (t11 + a20 * b1 + a21 * b0) % p),
        )

    def _f6_sum(self, a: Fp6, b: Fp6) -> Fp6:
        """a + b unreduced: only ever a factor of `f6_mul`."""
        return ((a[0][0] + b[0][0], a[0][1] + b[0][1]), (a[1][0] + b[1][0], a[1][1] + b[1][1]),
                (a[2][0] + b[2][0], a[2][1] + b[2][1]))  # fmt: skip

    def f6_add_v_times(self, a: Fp6, b: Fp6) -> Fp6:
        """a + v b."""
        p = self.p
        k = self.xi_k
        (b00, b01), (b10, b11), (b20, b21) = b
        return (
            ((a[0][0] + k * b20 - b21) % p, (a[0][1] + b20 + k * b21) % p),
            ((a[1][0] + b00) % p, (a[1][1] + b01) % p),
            ((a[2][0] + b10) % p, (a[2][1] + b11) % p),
        )

    def _f6_sub_two(self, a: Fp6, b: Fp6, c: Fp6) -> Fp6:
        """a - b - c."""
        p = self.p
        return (
            ((a[0][0] - b[0][0] - c[0][0]) % p, (a[0][1] - b[0][1] - c[0][1]) % p),
            ((a[1][0] - b[1][0] - c[1][0]) % p, (a[1][1] - b[1][1] - c[1][1]) % p),
            ((a[2][0] - b[2][0] - c[2][0]) % p, (a[2][1] - b[2][1] - c[2][1]) % p),
        )

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
        """Karatsuba over Fp6 with w^2 = v."""
        a0, a1 = a
        b0, b1 = b
        t0 = self.f6_mul(a0, b0)
        t1 = self.f6_mul(a1, b1)
        middle = self.f6_mul(self._f6_sum(a0, a1), self._f6_sum(b0, b1))
        return self.f6_add_v_times(t0, t1), self._f6_sub_two(middle, t0, t1)

    def f12_square(self, a: Fp12) -> Fp12:
        """(a0 + a1 w)^2 = (a0 + a1)(a0 + v a1) - t - v t + 2 t w with t = a0 a1."""
        a0, a1 = a
        t = self.f6_mul(a0, a1)
        c0 = self._f6_sub_two(self.f6_mul(self._f6_sum(a0, a1), self.f6_add_v_times(a0, a1)), t, self.f6_mul_v(t))
        return (c0, self.f6_add(t, t))

    def f12_cyclotomic_square(self, a: Fp12) -> Fp12:
        """a^2 for a in the cyclotomic subgroup (any value after the easy part of the final
        exponentiation), by Granger and Scott: seen as A0 + A1 w + A2 w^2 over Fp4 = Fp2[t],
        t = w^3, t^2 = xi, the square is (3 A0^2 - 2 conj A0) + (3 t A2^2 + 2 conj A1) w
        + (3 A1^2 - 2 conj A2) w^2: three Fp4 squarings instead of two Fp6 products."""
        (g0, g1, g2), (h0, h1, h2) = a
        p = self.p
        x0, y0 = self._f4_square(g0, h1)  # A0 = g0 + h1 t
        x1, y1 = self._f4_square(h0, g2)  # A1 = h0 + g2 t
        x2, y2 = self._f4_square(g1, h2)  # A2 = g1 + h2 t
        k = self.xi_k
        return (
            (
                ((3 * x0[0] - 2 * g0[0]) % p, (3 * x0[1] - 2 * g0[1]) % p),
                ((3 * x1[0] - 2 * g1[0]) % p, (3 * x1[1] - 2 * g1[1]) % p),
                ((3 * x2[0] - 2 * g2[0]) % p, (3 * x2[1] - 2 * g2[1]) % p),
            ),
            (
                ((3 * (k * y2[0] - y2[1]) + 2 * h0[0]) % p, (3 * (y2[0] + k * y2[1]) + 2 * h0[1]) % p),
                ((3 * y0[0] + 2 * h1[0]) % p, (3 * y0[1] + 2 * h1[1]) % p),
                ((3 * y1[0] + 2 * h2[0]) % p, (3 * y1[1] + 2 * h2[1]) % p),
            ),
        )

    def _f4_square(self, x: Fp2, y: Fp2) -> tuple[Fp2, Fp2]:
        """(x + y t)^2 = (x^2 + xi y^2) + 2 x y t, unreduced."""
        x0, x1 = x
        y0, y1 = y
        k = self.xi_k
        xx0, xx1 = (x0 + x1) * (x0 - x1), 2 * x0 * x1
        yy0, yy1 = (y0 + y1) * (y0 - y1), 2 * y0 * y1
        return (xx0 + k * yy0 - yy1, xx1 + yy0 + k * yy1), (2 * (x0 * y0 - x1 * y1), 2 * (x0 * y1 + x1 * y0))

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

    def f12_cyclotomic_pow(self, a: Fp12, naf: tuple[int, ...]) -> Fp12:
        """a^k for a in the cyclotomic subgroup, k in non-adjacent form (`naf`, most significant
        digit first, which is 1): there the inverse is the conjugate, so a -1 digit costs as
        little as a 1 and the form has fewer nonzero digits than binary."""
        inverse = self.f12_conjugate(a)
        result = a
        for index in range(1, len(naf)):
            result = self.f12_cyclotomic_square(result)
            digit = naf[index]
            if digit == 1:
                result = self.f12_mul(result, a)
            elif digit == -1:
                result = self.f12_mul(result, inverse)
        return result

    def easy_part(self, f: Fp12) -> Fp12:
        """f ** ((p^6 - 1)(p^2 + 1)) by conjugation and Frobenius: the result lies in the
        cyclotomic subgroup, where squaring is cheaper and the inverse is the conjugate."""
        f = self.f12_mul(self.f12_conjugate(f), self.f12_inverse(f))
        return self.f12_mul(self.f12_frobenius(f, 2), f)

    def final_exponentiation(self, f: Fp12, hard_digits: tuple[int, ...]) -> Fp12:
        """f ** ((p^12 - 1) / r): the easy part, then the hard part (p^4 - p^2 + 1) / r as a
        product of Frobenius powers raised to its base-p digits, sharing one chain of squarings.
        Curves with a shorter chain in their parameter (BN254) use `easy_part` and their own."""
        f = self.easy_part(f)
        bases = [f, self.f12_frobenius(f, 1), self.f12_frobenius(f, 2), self.f12_frobenius(f, 3)]
        result = FP12_ONE
        top = max(digit.bit_length() for digit in hard_digits)
        for bit in range(top - 1, -1, -1):
            result = self.f12_cyclotomic_square(result)
            for index in range(4):
                if (hard_digits[index] >> bit) & 1:
                    result = self.f12_mul(result, bases[index])
        return result


def hard_part_digits(p: int, r: int) -> tuple[int, ...]:
    """(p^4 - p^2 + 1) / r written in base p (four digits)."""
    hard = (p**4 - p**2 + 1) // r
    return tuple((hard // p**index) % p for index in range(4))


def non_adjacent_form(k: int) -> tuple[int, ...]:
    """The digits in {-1, 0, 1} of positive k, no two adjacent nonzero, most significant first."""
    digits: list[int] = []
    while k > 0:
        digit = 0
        if k & 1:
            digit = 2 - (k & 3)
            k -= digit
        digits.append(digit)
        k >>= 1
    return tuple(reversed(digits))
