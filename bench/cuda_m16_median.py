"""Issue 5's M <= 16 target from several runs of the same binary: per-row median time, then the worst
ratio (M = 2..16 over M = 1) per mode and dtype over the bench shapes; rows where one run is > 1.15x the median are
listed as disturbed. Usage: python3 bench/cuda_m16_median.py RUN1.csv RUN2.csv [...]"""
import sys, statistics, collections
runs=[]
for p in sys.argv[1:]:
    q={}
    for l in open(p):
        f=l.strip().split(',')
        if f[0]=='qmm' and int(f[5])<=16: q[(int(f[1]),int(f[2]),f[3],f[4],int(f[5]))]=float(f[6])
    runs.append(q)
keys=set(runs[0]).intersection(*runs[1:])
med={k:statistics.median(r[k] for r in runs) for k in keys}
worst=collections.defaultdict(lambda:(0,None))
for (n,k,m,d,M),t in med.items():
    if M>=2 and (n,k,m,d,1) in med:
        r=t/med[(n,k,m,d,1)]
        if r>worst[(m,d)][0]: worst[(m,d)]=(r,(n,k,M))
for key in sorted(worst): print(f"| {key[0]} | {key[1]} | {worst[key][0]:.3f} | {worst[key][1][0]}×{worst[key][1][1]} M={worst[key][1][2]} |")
# rows where one run is >15% above the median
for k in sorted(keys):
    vals=[r[k] for r in runs]
    if max(vals)>1.15*med[k]: print("disturbed:",k,vals)
