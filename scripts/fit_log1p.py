# Fits the polynomial Q of log1p(t) = t - t^2/2 + t^3 Q(t) on [1/sqrt2 - 1, sqrt2 - 1]
# (iteratively reweighted least squares towards minimax relative error) used by
# zs_log_uniform24 in core/rng/philox.h. Run with the project venv: .venv/bin/python.
import numpy as np
a,b=np.sqrt(0.5)-1, np.sqrt(2)-1
t=np.cos(np.linspace(0,np.pi,20001))*(b-a)/2+(b+a)/2
t=t[np.abs(t)>1e-6]
f=np.log1p(t)
for deg in [6,7,8]:
    # log1p(t) = t - t^2/2 + t^3 Q(t); minimize relative error of log1p
    y=(f - t + t*t/2)/t**3
    w=t**3/np.abs(f)   # relative weighting
    V=np.vander(t,deg+1,increasing=True)
    c,*_=np.linalg.lstsq(V*w[:,None], y*w, rcond=None)
    # iterate to approx minimax (Lawson)
    W=np.ones_like(t)
    for it in range(50):
        c,*_=np.linalg.lstsq(V*(w*np.sqrt(W))[:,None], y*w*np.sqrt(W), rcond=None)
        err=np.abs((V@c - y)*w); W=W*err; W/=W.sum()
    c32=c.astype(np.float32); tt=t.astype(np.float32)
    # float32 evaluation Horner
    q=np.zeros_like(tt)
    for ci in c32[::-1]: q=q*tt+ci
    p=tt - tt*tt*np.float32(0.5) + tt*tt*tt*q
    rel=np.max(np.abs(p.astype(np.float64)-np.log1p(tt.astype(np.float64)))/np.abs(np.log1p(tt.astype(np.float64))))
    print(deg, "max rel err (float eval)", rel, "coeffs", repr([float(x) for x in c32]))
