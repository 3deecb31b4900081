# Picks the second eight of the runs' default palette (default_run_colour in
# core/io/experiment.cpp): after Okabe-Ito's eight (grey for black), greedily the sRGB
# colour (a 15-step grid) with the largest smallest CIEDE2000 difference to every colour
# chosen so far, among colours with CIELAB L* in [45, 82] (visible on the dark view and on a
# white page) and chroma >= 35 (not another grey). Prints the palette and its smallest
# pairwise difference. docs/design-notes.md "Run colours". Run: python3 scripts/palette.py
import itertools
import math

OKABE_ITO = [0xE69F00, 0x56B4E9, 0x009E73, 0xF0E442, 0x0072B2, 0xD55E00, 0xCC79A7, 0xBBBBBB]


def lab(rgb):
    """sRGB (IEC 61966-2-1) -> CIELAB, D65 white (CIE 15:2004)."""
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin((rgb >> s) & 255) for s in (16, 8, 0))
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883
    f = lambda t: t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def ciede2000(p, q):
    """CIEDE2000 colour difference (Sharma, Wu, Dalal 2005, eqs. 1-20), kL = kC = kH = 1."""
    (l1, a1, b1), (l2, a2, b2) = p, q
    cbar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(cbar ** 7 / (cbar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dlp, dcp = l2 - l1, c2p - c1p
    dhp = 0.0
    if c1p * c2p != 0:
        dhp = h2p - h1p
        dhp -= 360 if dhp > 180 else 0
        dhp += 360 if dhp < -180 else 0
    dHp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2))
    lbp, cbp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbp = (h1p + h2p) / 2
    else:
        hbp = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hbp - 30)) + 0.24 * math.cos(math.radians(2 * hbp))
         + 0.32 * math.cos(math.radians(3 * hbp + 6)) - 0.20 * math.cos(math.radians(4 * hbp - 63)))
    dth = 30 * math.exp(-(((hbp - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cbp ** 7 / (cbp ** 7 + 25 ** 7))
    sl = 1 + 0.015 * (lbp - 50) ** 2 / math.sqrt(20 + (lbp - 50) ** 2)
    sc, sh = 1 + 0.045 * cbp, 1 + 0.015 * cbp * t
    rt = -math.sin(math.radians(2 * dth)) * rc
    return math.sqrt((dlp / sl) ** 2 + (dcp / sc) ** 2 + (dHp / sh) ** 2 + rt * (dcp / sc) * (dHp / sh))


def main(extra=8):
    cands = []
    for r, g, b in itertools.product(range(0, 256, 15), repeat=3):
        c = (r << 16) | (g << 8) | b
        l = lab(c)
        if 45 <= l[0] <= 82 and math.hypot(l[1], l[2]) >= 35:
            cands.append((c, l))
    palette = list(OKABE_ITO)
    nearest = [min(ciede2000(l, lab(p)) for p in palette) for _, l in cands]
    for _ in range(extra):
        j = max(range(len(cands)), key=lambda i: nearest[i])
        c, l = cands[j]
        palette.append(c)
        nearest = [min(nearest[i], ciede2000(cands[i][1], l)) for i in range(len(cands))]
    print(", ".join("0x%06X" % c for c in palette))
    worst = min((ciede2000(lab(a), lab(b)), a, b) for a, b in itertools.combinations(palette, 2))
    print("smallest CIEDE2000 difference: %.1f (%06X, %06X)" % worst)


if __name__ == "__main__":
    main()
