#!/usr/bin/env python3
"""Independent test vectors for bench/stats.go (Python 3 standard library only).

Run from the repository root:  python3 bench/testdata/stats_vectors.py > bench/testdata/stats_vectors.json

Each quantity is computed differently from the Go code:
  * mean / sd / median / percentiles: the statistics module
    (quantiles(method="inclusive") is Hyndman & Fan definition 7);
  * Student t quantile: Simpson integration of the t density, then bisection;
  * geometric CDF and median: exact rational arithmetic (fractions) or
    50-digit decimals, the median by searching k directly;
  * KS statistic: |F_n(k) - F(k)| in exact fractions at every whole k from
    0 to max(sample), not only at the observed values;
  * Kolmogorov tail: the plain alternating series with many terms.
"""
import json
import math
import random
import statistics
from decimal import Decimal, getcontext
from fractions import Fraction

getcontext().prec = 60


def t_cdf(t, nu, steps=20000):
    c = math.exp(math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2)) / math.sqrt(nu * math.pi)
    f = lambda x: c * (1 + x * x / nu) ** (-(nu + 1) / 2)
    h = t / steps
    s = f(0) + f(t)
    for i in range(1, steps):
        s += (4 if i % 2 else 2) * f(i * h)
    return 0.5 + s * h / 3


def t_quantile(q, nu):
    lo, hi = 0.0, 50.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if t_cdf(mid, nu) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def geom_cdf_exact(p, k):
    if k < 1:
        return Fraction(0)
    return 1 - (1 - p) ** k


def geom_cdf_dec(p, k):
    if k < 1:
        return Decimal(0)
    return 1 - (k * (1 - p).ln()).exp()


def geom_median(p):
    # smallest k with F(k) >= 1/2: exponential search, then bisection
    hi = 1
    while geom_cdf_dec(p, hi) < Decimal("0.5"):
        hi *= 2
    lo = 0  # F(0) = 0 < 1/2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if geom_cdf_dec(p, mid) >= Decimal("0.5"):
            hi = mid
        else:
            lo = mid
    return hi


def ks_brute(xs, p):
    n = len(xs)
    d = Fraction(0)
    for k in range(0, max(xs) + 1):
        fn = Fraction(sum(1 for x in xs if x <= k), n)
        d = max(d, abs(fn - geom_cdf_exact(p, k)))
    return float(d)


def kolmogorov_q(lam):
    if lam <= 0:
        return 1.0
    s = 0.0
    for j in range(1, 2000):
        s += (-1) ** (j - 1) * 2 * math.exp(-2 * j * j * lam * lam)
    return min(max(s, 0.0), 1.0)


def stephens(n):
    r = math.sqrt(n)
    return r + 0.12 + 0.11 / r


def ks_critical(n, alpha):
    lo, hi = 0.0, 5.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if kolmogorov_q(mid) > alpha:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2 / stephens(n)


def sample_case(name, xs, p):
    fx = [float(x) for x in xs]
    n = len(xs)
    q = statistics.quantiles(fx, n=100, method="inclusive")
    tq = t_quantile(0.975, n - 1)
    m = statistics.fmean(fx)
    sd = statistics.stdev(fx)
    d = ks_brute(xs, p)
    return {
        "name": name,
        "x": xs,
        "p": float(p),
        "mean": m,
        "sd": sd,
        "median": statistics.median(fx),
        "p5": q[4],
        "p25": q[24],
        "p95": q[94],
        "t975": tq,
        "ci_low": m - tq * sd / math.sqrt(n),
        "ci_high": m + tq * sd / math.sqrt(n),
        "ks_d": d,
        "ks_p": kolmogorov_q(stephens(n) * d),
        "ks_crit05": ks_critical(n, 0.05),
    }


def main():
    rng = random.Random(20261126)

    def geom_draws(p, n):
        out = []
        for _ in range(n):
            k = 1
            while rng.random() >= p:
                k += 1
            out.append(k)
        return out

    samples = [
        sample_case("fibonacci", [1, 2, 2, 3, 5, 8, 13, 21, 34, 55], Fraction(1, 16)),
        sample_case("ties", [1, 1, 1, 2, 2, 3, 7, 7, 20, 40, 40, 41], Fraction(1, 8)),
        sample_case("geom_p1_16", geom_draws(1 / 16, 50), Fraction(1, 16)),
        sample_case("geom_p1_256_vs_wrong_p", geom_draws(1 / 256, 40), Fraction(1, 64)),
    ]
    geom = []
    for p in [Fraction(1, 2), Fraction(1, 3), Fraction(1, 16), Fraction(1, 256), Fraction(1, 4096),
              Fraction(1, 65536), Fraction(1, 2**20), Fraction(1, 16**6)]:
        dp = Decimal(p.numerator) / Decimal(p.denominator)
        cdf = []
        for k in [0, 1, 2, 10, 100, 1000, 100000]:
            cdf.append([k, float(geom_cdf_dec(dp, k))])
        geom.append({
            "p": float(p),
            "median": geom_median(dp),
            "median_approx": math.log(2) * p.denominator / p.numerator,
            "cdf": cdf,
        })
    kq = [[lam, kolmogorov_q(lam)] for lam in [0.3, 0.5, 0.8, 1.0, 1.2238, 1.3581, 1.6276, 2.0, 3.0]]
    json.dump({"samples": samples, "geometric": geom, "kolmogorov_q": kq}, fp=__import__("sys").stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
