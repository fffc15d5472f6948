# Derives the polynomial coefficients used in assembly/simd/math.ts (run: python3 tools/fit_simd_math.py).
# Each fit is a weighted least-squares fit on a dense grid, refined by Lawson iterations towards the
# minimax (equal-ripple) relative error; the printed error is the float64 fit error only (the float32
# evaluation error is measured separately by tests/kernels/*.spec.ts and tests/kernels_misc.test.ts).
import math
import numpy as np

def lawson(xs, basis, target, weight, iters=200):
    A = np.stack([b(xs) for b in basis], axis=1)
    w = np.ones_like(xs)
    for _ in range(iters):
        sw = np.sqrt(w) * weight
        c, *_ = np.linalg.lstsq(A * sw[:, None], target * sw, rcond=None)
        err = np.abs((A @ c - target) * weight)
        w = w * err
        w /= w.sum()
    return c, err.max()

def powers(n, var=lambda x: x):
    return [(lambda k: (lambda x: var(x) ** k))(k) for k in range(n)]

# exp(r) = 1 + r + r^2 q(r), r in [-ln2/2, ln2/2]; relative error of exp = r^2 |q err| / exp(r).
h = math.log(2) / 2
r = np.linspace(-h, h, 20001); r = r[np.abs(r) > 1e-4]
q_target = (np.exp(r) - 1 - r) / r ** 2
c, e = lawson(r, powers(5), q_target, r ** 2 / np.exp(r))
print('exp q(r) c0..c4:', [float(np.float32(v)) for v in c], 'rel err', e)

# tanh(x) = x + x^3 P(x^2), x in [0, 0.625]; relative error = x^2 |P err| / (tanh(x)/x).
x = np.linspace(1e-3, 0.625, 20001)
P_target = (np.tanh(x) - x) / x ** 3
c, e = lawson(x, powers(5, lambda x: x * x), P_target, x ** 2 / (np.tanh(x) / x))
print('tanh P(u) c0..c4:', [float(np.float32(v)) for v in c], 'rel err', e)

# erf(z) = z P(z^2), z in [0, 0.875]; relative error.
erf = np.vectorize(math.erf); erfc = np.vectorize(math.erfc)
z = np.linspace(1e-4, 0.875, 20001)
c, e = lawson(z, powers(6, lambda z: z * z), erf(z) / z, np.ones_like(z) / (erf(z) / z))
print('erf P(u) c0..c5:', [float(np.float32(v)) for v in c], 'rel err', e)

# erfc(z) = exp(-z^2) R(t), t = 1/(1 + p z), z in [0.875, 10]; relative error.
p = 0.5
z = np.linspace(0.875, 10, 40001)
t = 1 / (1 + p * z)
R = erfc(z) * np.exp(z * z)
c, e = lawson(t, powers(10), R, 1 / R)  # degree 9: 9 multiply-adds; degree 8 would be 8e-8
print('erfc R(t) p=', p, 'c0..c9:', [float(np.float32(v)) for v in c], 'rel err', e)
