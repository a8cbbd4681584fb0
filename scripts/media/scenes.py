"""The five sample pictures, drawn from nothing but shapes, gradients and seeded noise (Pillow only).

Every scene is a function (width, height, seed) -> RGB image, drawn in proportions of the frame so the
same picture comes out at any size (make_fixtures.py --big draws one at 6000x4000). All randomness comes
from random.Random(seed); nothing is read from disk or the network. The flags are invented for the
invented states of the sample stories (Valdoria, Marennia, Ostrava, Islas Corales) and are not any real
state's flag.
"""
from __future__ import annotations

import math
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

SS = 2  # supersampling: scenes are drawn at SS x the size and reduced, which smooths the edges


# ---------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------
def lerp(a, b, t):
    return a + (b - a) * t


def mix(c1, c2, t):
    return tuple(int(round(lerp(a, b, t))) for a, b in zip(c1, c2))


def vgrad(w, h, stops):
    """Vertical gradient through (position 0..1, colour) stops."""
    col = []
    for y in range(h):
        t = y / max(1, h - 1)
        for (p0, c0), (p1, c1) in zip(stops, stops[1:]):
            if p0 <= t <= p1:
                col.append(mix(c0, c1, (t - p0) / max(1e-9, p1 - p0)))
                break
        else:
            col.append(stops[-1][1] if t > stops[-1][0] else stops[0][1])
    g = Image.new("RGB", (1, h))
    g.putdata(col)
    return g.resize((w, h), Image.Resampling.NEAREST)


def radial_mask(size, power=2.0, strength=1.0):
    """A soft round mask: 255*strength in the middle, 0 at the edge."""
    g = Image.radial_gradient("L").resize(size, Image.Resampling.BILINEAR)
    return g.point(lambda v: int(255 * strength * max(0.0, 1 - v / 180) ** power))


def glow(img, cx, cy, rx, ry, colour, strength=1.0, power=2.0):
    """Adds light (screen blend) in a soft ellipse."""
    rx, ry = int(rx), int(ry)
    box = (int(cx - rx), int(cy - ry), int(cx + rx), int(cy + ry))
    mask = radial_mask((box[2] - box[0], box[3] - box[1]), power, strength)
    light = Image.new("RGB", mask.size, colour)
    light = ImageChops.multiply(light, Image.merge("RGB", (mask, mask, mask)))
    region = img.crop(box)
    img.paste(ImageChops.screen(region, light), box)


def shade(img, box, colour, strength, power=1.5):
    """Darkens (multiply) in a soft ellipse."""
    box = tuple(int(v) for v in box)
    mask = radial_mask((box[2] - box[0], box[3] - box[1]), power, strength)
    dark = Image.new("RGB", mask.size, colour)
    region = img.crop(box)
    img.paste(Image.composite(ImageChops.multiply(region, dark), region, mask), box)


def ridge(rnd, n, rough=0.55, amp=1.0):
    """Midpoint displacement: 2**n + 1 heights in about -amp..amp."""
    size = 2**n + 1
    h = [0.0] * size
    h[0], h[-1] = rnd.uniform(-amp, amp) * 0.5, rnd.uniform(-amp, amp) * 0.5
    step, scale = size - 1, amp
    while step > 1:
        half = step // 2
        for i in range(half, size, step):
            h[i] = (h[i - half] + h[i + half]) / 2 + rnd.uniform(-scale, scale)
        step, scale = half, scale * rough
    return h


def ridge_polygon(rnd, w, base_y, amp, bottom, n=9, rough=0.55):
    h = ridge(rnd, n, rough)
    pts = [(i * w / (len(h) - 1), base_y - (v + 1) * amp / 2) for i, v in enumerate(h)]
    return pts + [(w, bottom), (0, bottom)]


def font(size):
    return ImageFont.load_default(size=max(6, int(size)))


def vignette(img, strength=0.35):
    w, h = img.size
    mask = Image.radial_gradient("L").resize((w, h), Image.Resampling.BILINEAR)
    mask = mask.point(lambda v: int(255 * strength * min(1.0, max(0.0, (v - 90) / 130)) ** 1.6))
    dark = Image.new("RGB", (w, h), (0, 0, 0))
    return Image.composite(dark, img, mask)


def grain(img, rnd, fine=5.0, coarse=4.0):
    """Seeded film grain: fine per-pixel noise plus a soft blotchy layer, added around mid-grey."""
    w, h = img.size
    out = img
    if fine > 0:
        n = Image.frombytes("L", (w, h), rnd.randbytes(w * h))
        n = n.point(lambda v: int(128 + (v - 127.5) / 127.5 * fine))
        out = ImageChops.add(out, Image.merge("RGB", (n, n, n)), 1.0, -128)
    if coarse > 0:
        cw, ch = max(2, w // 6), max(2, h // 6)
        c = Image.frombytes("L", (cw, ch), rnd.randbytes(cw * ch)).resize((w, h), Image.Resampling.BICUBIC)
        c = c.filter(ImageFilter.GaussianBlur(2)).point(lambda v: int(128 + (v - 127.5) / 127.5 * coarse))
        out = ImageChops.add(out, Image.merge("RGB", (c, c, c)), 1.0, -128)
    return out


def finish(big, w, h, rnd, fine=5.0, coarse=4.0, vig=0.35):
    img = big.resize((w, h), Image.Resampling.LANCZOS)
    if vig:
        img = vignette(img, vig)
    return grain(img, rnd, fine, coarse)


# ---------------------------------------------------------------------------------------------------
# invented flags
# ---------------------------------------------------------------------------------------------------
def flag_image(name, w, h):
    """The invented flags: drawn fresh each time at w x h."""
    w, h = max(4, int(w)), max(3, int(h))
    im = Image.new("RGB", (w, h))
    d = ImageDraw.Draw(im)
    if name == "valdoria":
        # deep teal over sand, parted by a white three-peaked line; a gold disc at the hoist
        d.rectangle((0, 0, w, h), fill=(196, 170, 120))
        peaks = []
        for i in range(7):
            x = i * w / 6
            y = h * (0.42 if i % 2 == 0 else 0.30)
            peaks.append((x, y))
        d.polygon([(0, 0), (w, 0)] + peaks[::-1], fill=(12, 92, 96))
        d.line(peaks, fill=(250, 250, 245), width=max(1, h // 14))
        r = h * 0.13
        d.ellipse((w * 0.12 - r, h * 0.68 - r, w * 0.12 + r, h * 0.68 + r), fill=(222, 170, 40))
    elif name == "marennia":
        # navy hoist third with a white ring; orange fly; a white wave across the middle
        d.rectangle((0, 0, w, h), fill=(228, 112, 34))
        d.rectangle((0, 0, w / 3, h), fill=(24, 36, 88))
        r = h * 0.17
        d.ellipse((w / 6 - r, h / 2 - r, w / 6 + r, h / 2 + r), outline=(250, 250, 245), width=max(1, h // 16))
        pts = [(w / 3 + x, h / 2 + math.sin(x / (w * 2 / 3) * 2 * math.pi) * h * 0.08) for x in range(0, int(w * 2 / 3) + 1, max(1, w // 60))]
        d.line(pts, fill=(250, 250, 245), width=max(1, h // 12))
    elif name == "ostrava":
        # purple field, a yellow chevron outline from the hoist, a white dot
        d.rectangle((0, 0, w, h), fill=(92, 40, 120))
        lw = max(1, h // 9)
        d.line([(0, 0), (w * 0.42, h / 2), (0, h)], fill=(240, 200, 40), width=lw)
        r = h * 0.08
        d.ellipse((w * 0.14 - r, h / 2 - r, w * 0.14 + r, h / 2 + r), fill=(250, 250, 245))
    elif name == "corales":
        # light blue over a coral band, five white dots in a ring
        d.rectangle((0, 0, w, h), fill=(110, 180, 222))
        d.rectangle((0, h * 0.7, w, h), fill=(236, 120, 110))
        cx, cy, rr = w * 0.5, h * 0.36, h * 0.18
        for i in range(5):
            a = -math.pi / 2 + i * 2 * math.pi / 5
            x, y = cx + rr * math.cos(a), cy + rr * math.sin(a)
            r = h * 0.045
            d.ellipse((x - r, y - r, x + r, y + r), fill=(250, 250, 245))
    else:
        raise ValueError(name)
    return im


def fabric(flag, folds=3, depth=0.35, phase=0.0):
    """Shades a flag with vertical folds so it reads as hanging cloth."""
    w, h = flag.size
    col = [int(255 * (1 - depth / 2 + depth / 2 * math.sin(phase + x / w * folds * 2 * math.pi))) for x in range(w)]
    m = Image.new("L", (w, 1))
    m.putdata(col)
    m = m.resize((w, h))
    return ImageChops.multiply(flag, Image.merge("RGB", (m, m, m)))


def flag_on_pole(img, x, top, pole_h, flag_w, flag_h, name, phase=0.0, pole=(190, 190, 196)):
    d = ImageDraw.Draw(img)
    pw = max(2, int(flag_w * 0.04))
    d.rectangle((x - pw / 2, top, x + pw / 2, top + pole_h), fill=pole)
    d.ellipse((x - pw, top - pw * 1.6, x + pw, top + pw * 0.4), fill=(214, 180, 90))
    f = fabric(flag_image(name, flag_w, flag_h), folds=3, depth=0.45, phase=phase)
    # a hanging flag: the fly droops a little (a shear)
    f = f.transform(f.size, Image.Transform.AFFINE, (1, 0, 0, -0.12, 1, 0), Image.Resampling.BICUBIC, fillcolor=None)
    mask = Image.new("L", f.size, 255).transform(f.size, Image.Transform.AFFINE, (1, 0, 0, -0.12, 1, 0), Image.Resampling.BICUBIC)
    img.paste(f, (int(x + pw / 2), int(top + pw)), mask)


# ---------------------------------------------------------------------------------------------------
# 1. border crossing at dusk
# ---------------------------------------------------------------------------------------------------
def border_dusk(w, h, seed=1101):
    rnd = random.Random(seed)
    W, H = w * SS, h * SS
    hy = H * 0.6  # horizon
    img = vgrad(W, H, [(0.0, (22, 30, 70)), (0.28, (70, 56, 112)), (0.46, (196, 98, 88)), (0.56, (246, 160, 84)), (0.6, (252, 200, 120)), (0.61, (60, 48, 60)), (1.0, (24, 22, 28))])
    sun_x, sun_y = W * 0.74, hy - H * 0.035
    glow(img, sun_x, sun_y, W * 0.45, H * 0.3, (120, 60, 20), 0.9, 1.6)
    glow(img, sun_x, sun_y, W * 0.12, H * 0.1, (255, 170, 90), 1.0, 2.0)
    d = ImageDraw.Draw(img)
    r = W * 0.028
    d.ellipse((sun_x - r, sun_y - r, sun_x + r, sun_y + r), fill=(255, 226, 170))
    # thin clouds lit from below (only the mask is blurred, so the edges do not darken)
    cmask = Image.new("L", (W, H), 0)
    cd = ImageDraw.Draw(cmask)
    for _ in range(14):
        cx, cy = rnd.uniform(-0.1, 1.1) * W, rnd.uniform(0.12, 0.45) * H
        cw, ch = rnd.uniform(0.12, 0.35) * W, rnd.uniform(0.008, 0.025) * H
        cd.ellipse((cx - cw, cy - ch, cx + cw, cy + ch), fill=150)
    cmask = cmask.filter(ImageFilter.GaussianBlur(W * 0.004))
    ctone = vgrad(W, H, [(0.0, (110, 64, 104)), (0.25, (150, 86, 120)), (0.48, (255, 170, 130)), (1.0, (255, 170, 130))])
    img.paste(ctone, (0, 0), cmask)
    d = ImageDraw.Draw(img)
    # three ranges of hills, the nearer the darker
    for i, (col, amp, base) in enumerate([((122, 84, 112), H * 0.09, hy + H * 0.005), ((84, 60, 86), H * 0.06, hy + H * 0.012), ((48, 38, 56), H * 0.035, hy + H * 0.02)]):
        d.polygon(ridge_polygon(rnd, W, base, amp, H, n=9, rough=0.58), fill=col)
    # the plain
    plain = vgrad(W, int(H - hy - H * 0.02), [(0, (52, 42, 56)), (1, (20, 18, 24))])
    img.paste(plain, (0, int(hy + H * 0.02)))
    d = ImageDraw.Draw(img)
    vx, vy = W * 0.47, hy + H * 0.022  # vanishing point of the road
    road = [(vx - W * 0.004, vy), (vx + W * 0.004, vy), (W * 1.02, H), (-W * 0.1, H)]
    d.polygon(road, fill=(54, 52, 62))
    # lane lines in perspective: depth z -> y = vy + k / z
    for lane in (-0.5, 0.0, 0.5):
        z = 1.0
        while z < 40:
            y0, y1 = vy + (H - vy) / z, vy + (H - vy) / (z + 0.5)
            xb = vx + (W * (0.46 + lane * 0.55) - vx + lane * 0.0) * ((y0 - vy) / (H - vy))
            xt = vx + (W * (0.46 + lane * 0.55) - vx) * ((y1 - vy) / (H - vy))
            wd = max(1, W * 0.006 * (y0 - vy) / (H - vy))
            d.polygon([(xb - wd, y0), (xb + wd, y0), (xt + wd * 0.8, y1), (xt - wd * 0.8, y1)], fill=(214, 206, 180) if lane else (220, 180, 60))
            z += 1.1
    # border fence along the plain, either side of the road
    fy = hy + H * 0.05
    for side in (-1, 1):
        x = vx + side * W * 0.16
        post_h = H * 0.03
        while -0.05 * W < x < 1.05 * W:
            d.line([(x, fy), (x, fy - post_h)], fill=(26, 24, 30), width=max(1, int(W * 0.0012)))
            nx = x + side * W * 0.035
            d.line([(x, fy - post_h), (nx, fy - post_h)], fill=(30, 28, 34), width=max(1, int(W * 0.0008)))
            d.line([(x, fy - post_h * 0.5), (nx, fy - post_h * 0.5)], fill=(30, 28, 34), width=max(1, int(W * 0.0006)))
            for k in range(6):  # chain link hatching
                xx = x + side * k * W * 0.006
                d.line([(xx, fy), (xx + side * W * 0.006, fy - post_h)], fill=(40, 36, 44), width=1)
            x = nx
    # the checkpoint canopy
    cy_top, cy_bot = hy - H * 0.085, hy - H * 0.055
    left, right = W * 0.24, W * 0.74
    ground_y = hy + H * 0.14
    pillar_w = W * 0.012
    for px in (left + W * 0.01, left + (right - left) * 0.36, left + (right - left) * 0.66, right - W * 0.015):
        d.rectangle((px, cy_bot, px + pillar_w, ground_y), fill=(70, 66, 74))
        d.rectangle((px, cy_bot, px + pillar_w * 0.3, ground_y), fill=(96, 90, 98))
    d.polygon([(left - W * 0.02, cy_top), (right + W * 0.02, cy_top), (right, cy_bot), (left, cy_bot)], fill=(214, 216, 222))
    d.rectangle((left, cy_bot, right, cy_bot + H * 0.012), fill=(40, 40, 46))
    band = (left + W * 0.05, cy_top + H * 0.006, right - W * 0.05, cy_bot - H * 0.006)
    d.rectangle(band, fill=(18, 96, 70))
    f = font((band[3] - band[1]) * 0.62)
    text = "CONTROL FRONTERIZO  -  BORDER CONTROL"
    tw = d.textlength(text, font=f)
    d.text(((band[0] + band[2] - tw) / 2, band[1] + (band[3] - band[1]) * 0.14), text, font=f, fill=(240, 240, 232))
    # lamps under the canopy and their light on the road
    for i in range(9):
        lx = left + (right - left) * (i + 0.5) / 9
        glow(img, lx, cy_bot + H * 0.02, W * 0.03, H * 0.04, (255, 236, 190), 0.9, 1.5)
        glow(img, lx, ground_y - H * 0.01, W * 0.05, H * 0.02, (120, 110, 80), 0.7, 1.2)
    d = ImageDraw.Draw(img)
    for i in range(9):
        lx = left + (right - left) * (i + 0.5) / 9
        d.rectangle((lx - W * 0.008, cy_bot + H * 0.012, lx + W * 0.008, cy_bot + H * 0.016), fill=(255, 250, 230))
    # booths with lit windows
    for bx in (left + (right - left) * 0.30, left + (right - left) * 0.60):
        bw, bh = W * 0.045, H * 0.075
        d.rectangle((bx, ground_y - bh, bx + bw, ground_y), fill=(190, 194, 200))
        d.rectangle((bx + bw * 0.12, ground_y - bh * 0.85, bx + bw * 0.88, ground_y - bh * 0.45), fill=(255, 224, 150))
        d.rectangle((bx - bw * 0.05, ground_y - bh - H * 0.006, bx + bw * 1.05, ground_y - bh), fill=(60, 60, 66))
    d = ImageDraw.Draw(img)
    # barrier arm, red and white
    bx0, by = left + (right - left) * 0.30 + W * 0.045, ground_y - H * 0.035
    bx1 = bx0 + W * 0.14
    d.rectangle((bx0 - W * 0.004, by, bx0 + W * 0.004, ground_y), fill=(60, 60, 60))
    seg = (bx1 - bx0) / 8
    for k in range(8):
        d.rectangle((bx0 + k * seg, by - H * 0.004, bx0 + (k + 1) * seg, by + H * 0.004), fill=(210, 40, 36) if k % 2 == 0 else (240, 240, 236))
    # a lorry waiting in the right lane, seen from behind
    lx0, ly1 = W * 0.55, ground_y + H * 0.09
    lw, lh = W * 0.13, H * 0.16
    d.rectangle((lx0, ly1 - lh, lx0 + lw, ly1 - H * 0.02), fill=(104, 108, 122))
    d.rectangle((lx0, ly1 - lh, lx0 + lw * 0.03, ly1 - H * 0.02), fill=(130, 134, 146))
    for k in range(1, 6):
        xx = lx0 + lw * k / 6
        d.line([(xx, ly1 - lh), (xx, ly1 - H * 0.02)], fill=(86, 90, 102), width=max(1, int(W * 0.0015)))
    d.rectangle((lx0 + lw * 0.03, ly1 - H * 0.02, lx0 + lw * 0.97, ly1), fill=(24, 24, 28))
    for tx in (lx0 + lw * 0.06, lx0 + lw * 0.86):
        d.rectangle((tx, ly1 - H * 0.035, tx + lw * 0.08, ly1 - H * 0.025), fill=(255, 60, 40))
        glow(img, tx + lw * 0.04, ly1 - H * 0.03, W * 0.03, H * 0.02, (200, 30, 20), 0.9)
    d = ImageDraw.Draw(img)
    d.rectangle((lx0 + lw * 0.4, ly1 - H * 0.05, lx0 + lw * 0.6, ly1 - H * 0.03), fill=(230, 220, 160))
    # street lamps along the road
    for z in (1.35, 2.1, 3.4, 6.0):
        t = 1 / z
        y = vy + (H - vy) * t
        for side in (-1, 1):
            x = vx + side * (W * 0.62) * t
            ph = H * 0.5 * t
            d.line([(x, y), (x, y - ph)], fill=(30, 30, 36), width=max(1, int(W * 0.004 * t)))
            d.line([(x, y - ph), (x - side * W * 0.03 * t, y - ph)], fill=(30, 30, 36), width=max(1, int(W * 0.003 * t)))
            glow(img, x - side * W * 0.03 * t, y - ph, W * 0.07 * t, W * 0.07 * t, (255, 160, 70), 0.9)
            d = ImageDraw.Draw(img)
    return finish(img, w, h, rnd, fine=6.0, coarse=3.0)


# ---------------------------------------------------------------------------------------------------
# 2. a patrol boat leaving the harbour
# ---------------------------------------------------------------------------------------------------
def harbour_patrol(w, h, seed=1202):
    rnd = random.Random(seed)
    W, H = w * SS, h * SS
    hy = H * 0.44
    img = vgrad(W, H, [(0.0, (96, 146, 200)), (0.36, (176, 204, 226)), (0.44, (214, 222, 226)), (0.441, (70, 112, 134)), (0.7, (36, 82, 108)), (1.0, (18, 54, 78))])
    glow(img, W * 0.2, hy - H * 0.25, W * 0.5, H * 0.3, (60, 50, 30), 0.6)
    d = ImageDraw.Draw(img)
    # clouds (only the mask is blurred, so the edges do not darken)
    cmask = Image.new("L", (W, H), 0)
    cd = ImageDraw.Draw(cmask)
    for _ in range(10):
        cx, cy = rnd.uniform(0, 1) * W, rnd.uniform(0.05, 0.3) * H
        for _k in range(6):
            ox, oy = rnd.uniform(-0.06, 0.06) * W, rnd.uniform(-0.02, 0.01) * H
            rr = rnd.uniform(0.02, 0.05) * W
            cd.ellipse((cx + ox - rr, cy + oy - rr * 0.6, cx + ox + rr, cy + oy + rr * 0.6), fill=190)
    cmask = cmask.filter(ImageFilter.GaussianBlur(W * 0.006))
    img.paste(vgrad(W, H, [(0, (250, 251, 252)), (0.35, (214, 222, 232)), (1, (214, 222, 232))]), (0, 0), cmask)
    d = ImageDraw.Draw(img)
    # distant coast with a headland on the left
    coast = ridge_polygon(rnd, W * 0.55, hy, H * 0.07, hy + 1, n=8, rough=0.5)
    coast = [(x, y if x < W * 0.45 else hy - (hy - y) * max(0, (W * 0.55 - x) / (W * 0.1))) for x, y in coast]
    d.polygon(coast, fill=(112, 136, 132))
    far = ridge_polygon(rnd, W, hy + 1, H * 0.025, hy + 1, n=8)
    d.polygon(far, fill=(150, 168, 176))
    d.polygon(coast, fill=(104, 128, 122))
    # harbour cranes and buildings on the shore
    for i in range(7):
        x = W * (0.05 + i * 0.045)
        bh = H * rnd.uniform(0.01, 0.03)
        d.rectangle((x, hy - bh, x + W * 0.03, hy), fill=mix((200, 196, 186), (140, 150, 150), rnd.random()))
    for x in (W * 0.33, W * 0.38):
        d.line([(x, hy), (x, hy - H * 0.09)], fill=(170, 80, 60), width=max(1, int(W * 0.002)))
        d.line([(x - W * 0.02, hy - H * 0.085), (x + W * 0.04, hy - H * 0.085)], fill=(170, 80, 60), width=max(1, int(W * 0.002)))
        d.line([(x, hy - H * 0.09), (x + W * 0.04, hy - H * 0.085)], fill=(170, 80, 60), width=1)
    # lighthouse on the headland
    lx, ly = W * 0.47, hy - H * 0.035
    d.polygon([(lx - W * 0.05, hy), (lx - W * 0.012, ly + H * 0.002), (lx + W * 0.012, ly + H * 0.004), (lx + W * 0.04, hy)], fill=(96, 110, 100))
    d.polygon([(lx - W * 0.006, ly), (lx + W * 0.006, ly), (lx + W * 0.004, ly - H * 0.07), (lx - W * 0.004, ly - H * 0.07)], fill=(244, 244, 240))
    d.polygon([(lx - W * 0.0055, ly - H * 0.03), (lx + W * 0.0055, ly - H * 0.03), (lx + W * 0.005, ly - H * 0.045), (lx - W * 0.005, ly - H * 0.045)], fill=(196, 40, 40))
    d.rectangle((lx - W * 0.005, ly - H * 0.082, lx + W * 0.005, ly - H * 0.07), fill=(60, 64, 70))
    # waves: short strokes, thinner and denser towards the horizon
    for _ in range(2600):
        t = rnd.random() ** 1.7
        y = hy + (H - hy) * t + 2
        x = rnd.uniform(-0.05, 1.05) * W
        length = W * (0.005 + 0.05 * t) * rnd.uniform(0.5, 1.5)
        thick = max(1, int(H * 0.004 * t))
        col = mix((120, 170, 190), (200, 226, 234), rnd.random()) if rnd.random() < 0.6 else mix((14, 40, 60), (30, 66, 90), rnd.random())
        d.line([(x, y), (x + length, y + rnd.uniform(-0.3, 0.3) * thick)], fill=col, width=thick)
    # the boat
    bx, by = W * 0.52, H * 0.66  # waterline, bow at the right
    L = W * 0.36
    hull = [(bx, by - H * 0.08), (bx + L, by - H * 0.1), (bx + L * 0.93, by - H * 0.01), (bx + L * 0.75, by + H * 0.012), (bx + L * 0.03, by + H * 0.01)]
    # wake and reflection first
    wmask = Image.new("L", (W, H), 0)
    wd = ImageDraw.Draw(wmask)
    for _ in range(900):  # churned water behind the stern, spreading and fading
        t = rnd.random() ** 1.3
        x = bx + L * 0.04 - t * W * 0.5
        y = by + H * 0.004 + t * rnd.uniform(-0.02, 0.06) * H
        rr = W * 0.004 * (1 + t * 2.5)
        wd.ellipse((x - rr * 2.5, y - rr * 0.4, x + rr * 2.5, y + rr * 0.4), fill=int(230 * (1 - t) ** 1.5))
    for sgn in (-1, 1):  # the two arms of the wake
        for _ in range(160):
            t = rnd.random()
            x = bx + L * 0.05 - t * W * 0.55
            y = by + H * 0.005 + t * H * (0.02 + (0.07 if sgn > 0 else -0.015)) + rnd.uniform(-0.003, 0.003) * H
            rr = W * 0.003 * (1 + t)
            wd.ellipse((x - rr * 3, y - rr * 0.4, x + rr * 3, y + rr * 0.4), fill=int(200 * (1 - t)))
    wd.polygon([(bx + L * 0.9, by - H * 0.02), (bx + L * 1.06, by + H * 0.02), (bx + L * 0.8, by + H * 0.03)], fill=220)
    wmask = wmask.filter(ImageFilter.GaussianBlur(W * 0.0015))
    img.paste((246, 250, 250), (0, 0), wmask)
    rmask = Image.new("L", (W, H), 0)
    ImageDraw.Draw(rmask).polygon([(hx, by + (by - hy2) * 0.35) for hx, hy2 in hull], fill=110)
    img.paste((10, 30, 44), (0, 0), rmask.filter(ImageFilter.GaussianBlur(W * 0.003)))
    d = ImageDraw.Draw(img)
    d.polygon(hull, fill=(236, 238, 240))
    d.polygon([(bx + L * 0.03, by + H * 0.01), (bx + L * 0.75, by + H * 0.012), (bx + L * 0.86, by - H * 0.005), (bx + L * 0.0, by - H * 0.015)], fill=(36, 44, 60))
    # the diagonal stripes: orange and blue
    for off, col, wd_ in ((0.58, (236, 110, 30), 0.07), (0.67, (28, 62, 140), 0.025)):
        x0 = bx + L * off
        d.polygon([(x0, by - H * 0.094), (x0 + L * wd_, by - H * 0.095), (x0 + L * wd_ - L * 0.08, by - H * 0.004), (x0 - L * 0.08, by - H * 0.004)], fill=col)
    d.line([(bx, by - H * 0.08), (bx + L, by - H * 0.1)], fill=(150, 156, 164), width=max(1, int(H * 0.004)))
    f = font(H * 0.04)
    d.text((bx + L * 0.16, by - H * 0.07), "P-41", font=f, fill=(28, 34, 48))
    # superstructure
    sx0, sx1 = bx + L * 0.18, bx + L * 0.55
    top = by - H * 0.2
    d.polygon([(sx0, by - H * 0.085), (sx1, by - H * 0.09), (sx1 - L * 0.04, top), (sx0 + L * 0.05, top + H * 0.005)], fill=(244, 246, 248))
    d.polygon([(sx0 + L * 0.08, top + H * 0.02), (sx1 - L * 0.05, top + H * 0.018), (sx1 - L * 0.03, top + H * 0.05), (sx0 + L * 0.08, top + H * 0.05)], fill=(40, 52, 66))
    for k in range(1, 6):
        x = sx0 + L * 0.08 + (sx1 - sx0 - L * 0.11) * k / 6
        d.line([(x, top + H * 0.02), (x, top + H * 0.05)], fill=(230, 232, 236), width=max(1, int(W * 0.002)))
    for k in range(6):
        x = sx0 + L * 0.03 + k * L * 0.05
        d.rectangle((x, by - H * 0.072, x + L * 0.025, by - H * 0.06), fill=(60, 70, 84))
    # mast, radar, antennas
    mx = sx0 + (sx1 - sx0) * 0.45
    d.rectangle((mx - W * 0.003, top - H * 0.12, mx + W * 0.003, top), fill=(232, 234, 236))
    d.rectangle((mx - L * 0.07, top - H * 0.09, mx + L * 0.07, top - H * 0.082), fill=(60, 64, 72))
    d.ellipse((mx - L * 0.03, top - H * 0.145, mx + L * 0.03, top - H * 0.125), fill=(236, 236, 236))
    d.line([(mx + L * 0.04, top - H * 0.09), (mx + L * 0.05, top - H * 0.16)], fill=(40, 40, 40), width=max(1, int(W * 0.0012)))
    d.line([(mx - L * 0.05, top - H * 0.09), (mx - L * 0.06, top - H * 0.15)], fill=(40, 40, 40), width=max(1, int(W * 0.0012)))
    # a small invented ensign at the stern
    flag_on_pole(img, bx + L * 0.03, by - H * 0.17, H * 0.09, W * 0.03, H * 0.03, "valdoria", phase=0.6)
    d = ImageDraw.Draw(img)
    # gulls
    for _ in range(6):
        gx, gy, gs = rnd.uniform(0.1, 0.9) * W, rnd.uniform(0.1, 0.35) * H, rnd.uniform(0.006, 0.012) * W
        d.line([(gx - gs, gy - gs * 0.3), (gx, gy), (gx + gs, gy - gs * 0.35)], fill=(60, 66, 76), width=max(1, int(gs * 0.18)), joint="curve")
    # the quay in the foreground: concrete edge, bollards, a rope
    qy = H * 0.86
    d.polygon([(0, qy), (W * 0.42, H * 0.93), (W * 0.42, H), (0, H)], fill=(128, 124, 116))
    d.polygon([(0, qy), (W * 0.42, H * 0.93), (W * 0.42, H * 0.945), (0, qy + H * 0.02)], fill=(168, 162, 150))
    for t in (0.18, 0.62):
        x, y = W * 0.42 * t, qy + (H * 0.93 - qy) * t
        r = W * 0.018
        d.rectangle((x - r, y - H * 0.05, x + r, y + H * 0.01), fill=(32, 34, 38))
        d.ellipse((x - r * 1.3, y - H * 0.065, x + r * 1.3, y - H * 0.04), fill=(44, 46, 52))
    d.line([(W * 0.42 * 0.62, qy + (H * 0.93 - qy) * 0.62 - H * 0.03), (W * 0.5, H * 1.02)], fill=(190, 150, 80), width=max(1, int(W * 0.004)))
    return finish(img, w, h, rnd, fine=6.0, coarse=3.0, vig=0.25)


# ---------------------------------------------------------------------------------------------------
# 3. a press-conference podium before a window on the city (portrait)
# ---------------------------------------------------------------------------------------------------
def podium_skyline(w, h, seed=1303):
    rnd = random.Random(seed)
    W, H = w * SS, h * SS
    img = Image.new("RGB", (W, H), (36, 34, 40))
    # the window: sky and skyline
    wx0, wy0, wx1, wy1 = W * 0.06, H * 0.04, W * 0.94, H * 0.56
    sky = vgrad(int(wx1 - wx0), int(wy1 - wy0), [(0, (54, 98, 168)), (0.6, (150, 184, 214)), (1, (226, 214, 196))])
    img.paste(sky, (int(wx0), int(wy0)))
    d = ImageDraw.Draw(img)
    for layer, (col, lit, hmin, hmax) in enumerate([((150, 164, 184), 0.0, 0.06, 0.16), ((98, 112, 138), 0.1, 0.08, 0.26), ((56, 64, 86), 0.25, 0.1, 0.34)]):
        x = wx0 - W * 0.02
        while x < wx1:
            bw = W * rnd.uniform(0.04, 0.11)
            bh = H * rnd.uniform(hmin, hmax)
            top = wy1 - bh
            d.rectangle((x, top, x + bw, wy1), fill=col)
            if rnd.random() < 0.25:
                d.polygon([(x, top), (x + bw, top), (x + bw / 2, top - bh * 0.12)], fill=col)
            if layer and rnd.random() < 0.3:
                d.line([(x + bw / 2, top), (x + bw / 2, top - H * 0.03)], fill=col, width=max(1, int(W * 0.002)))
            if layer:
                for yy in range(int(top + H * 0.008), int(wy1), max(2, int(H * 0.008))):
                    for xx in range(int(x + W * 0.006), int(x + bw - W * 0.006), max(2, int(W * 0.012))):
                        wcol = (250, 226, 160) if rnd.random() < lit else mix(col, (200, 214, 230), 0.25)
                        d.rectangle((xx, yy, xx + W * 0.005, yy + H * 0.003), fill=wcol)
            x += bw + W * rnd.uniform(0.0, 0.02)
    # a tall tower with an antenna, middle distance
    tx = W * 0.62
    d.rectangle((tx, wy1 - H * 0.42, tx + W * 0.09, wy1), fill=(70, 80, 104))
    d.rectangle((tx + W * 0.03, wy1 - H * 0.47, tx + W * 0.06, wy1 - H * 0.42), fill=(70, 80, 104))
    d.line([(tx + W * 0.045, wy1 - H * 0.47), (tx + W * 0.045, wy1 - H * 0.52)], fill=(70, 80, 104), width=max(1, int(W * 0.003)))
    for yy in range(int(wy1 - H * 0.41), int(wy1), max(2, int(H * 0.01))):
        d.line([(tx + W * 0.005, yy), (tx + W * 0.085, yy)], fill=(120, 140, 170), width=max(1, int(H * 0.002)))
    # window frame and mullions
    frame = (46, 46, 52)
    for k in range(5):
        x = wx0 + (wx1 - wx0) * k / 4
        d.rectangle((x - W * 0.008, wy0, x + W * 0.008, wy1), fill=frame)
    d.rectangle((wx0, wy0 + (wy1 - wy0) * 0.3 - H * 0.004, wx1, wy0 + (wy1 - wy0) * 0.3 + H * 0.004), fill=frame)
    d.rectangle((wx0 - W * 0.01, wy0 - H * 0.006, wx1 + W * 0.01, wy0), fill=frame)
    # the floor and a low stage
    floor = vgrad(W, int(H - wy1), [(0, (92, 72, 60)), (1, (40, 30, 26))])
    img.paste(floor, (0, int(wy1)))
    d = ImageDraw.Draw(img)
    d.rectangle((0, wy1, W, wy1 + H * 0.01), fill=(28, 26, 30))
    d.polygon([(W * 0.1, H * 0.72), (W * 0.9, H * 0.72), (W, H * 0.78), (0, H * 0.78)], fill=(52, 56, 76))
    d.rectangle((0, H * 0.78, W, H * 0.8), fill=(30, 32, 44))
    # flags at both sides of the lectern
    flag_on_pole(img, W * 0.16, H * 0.36, H * 0.36, W * 0.18, H * 0.2, "valdoria", phase=0.3)
    flag_on_pole(img, W * 0.72, H * 0.36, H * 0.36, W * 0.18, H * 0.2, "valdoria", phase=1.7)
    d = ImageDraw.Draw(img)
    # a spot of light on the lectern
    glow(img, W * 0.5, H * 0.62, W * 0.45, H * 0.18, (90, 80, 60), 0.8, 1.4)
    d = ImageDraw.Draw(img)
    # the lectern
    lt, lb = H * 0.55, H * 0.75
    d.polygon([(W * 0.33, lt), (W * 0.67, lt), (W * 0.63, lb), (W * 0.37, lb)], fill=(24, 50, 92))
    d.polygon([(W * 0.31, lt - H * 0.015), (W * 0.69, lt - H * 0.015), (W * 0.67, lt + H * 0.01), (W * 0.33, lt + H * 0.01)], fill=(36, 68, 118))
    d.polygon([(W * 0.6, lt + H * 0.01), (W * 0.67, lt + H * 0.01), (W * 0.63, lb), (W * 0.58, lb)], fill=(18, 38, 72))
    # the emblem: a ring, a star over three waves (invented)
    ex, ey, er = W * 0.49, H * 0.625, W * 0.075
    d.ellipse((ex - er, ey - er, ex + er, ey + er), fill=(222, 186, 90))
    d.ellipse((ex - er * 0.86, ey - er * 0.86, ex + er * 0.86, ey + er * 0.86), fill=(24, 50, 92))
    star = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = er * (0.42 if i % 2 == 0 else 0.17)
        star.append((ex + rr * math.cos(a), ey - er * 0.12 + rr * math.sin(a)))
    d.polygon(star, fill=(240, 220, 150))
    for k in range(3):
        yy = ey + er * (0.3 + k * 0.14)
        pts = [(ex - er * 0.55 + i * er * 1.1 / 24, yy + math.sin(i / 24 * 4 * math.pi) * er * 0.04) for i in range(25)]
        d.line(pts, fill=(240, 220, 150), width=max(1, int(er * 0.05)))
    f = font(H * 0.014)
    for line, yy in (("REPUBLICA DE VALDORIA", ey + er * 1.25), ("MINISTERIO DEL INTERIOR", ey + er * 1.6)):
        tw = d.textlength(line, font=f)
        d.text((ex - tw / 2, yy), line, font=f, fill=(226, 214, 180))
    # microphones: stems converging on the lectern top, coloured heads
    for k in range(7):
        t = (k - 3) / 3
        x0, y0 = W * 0.5 + t * W * 0.08, lt - H * 0.012
        x1, y1 = W * 0.5 + t * W * 0.14, lt - H * 0.07 - abs(t) * H * 0.01
        d.line([(x0, y0), (x1, y1)], fill=(24, 24, 26), width=max(1, int(W * 0.004)))
        col = [(200, 40, 40), (30, 30, 34), (40, 90, 200), (240, 240, 236), (30, 150, 90), (230, 160, 30), (30, 30, 34)][k]
        r = W * 0.014
        d.ellipse((x1 - r, y1 - r * 1.3, x1 + r, y1 + r * 1.3), fill=col)
        d.rectangle((x1 - r * 0.9, y1 + r * 0.5, x1 + r * 0.9, y1 + r * 1.4), fill=mix(col, (255, 255, 255), 0.3))
    # cameras and heads of the press in the foreground, silhouettes
    for k in range(6):
        cx = W * (k + 0.5) / 6 + rnd.uniform(-0.03, 0.03) * W
        cy = H * rnd.uniform(0.9, 0.95)
        r = W * rnd.uniform(0.06, 0.08)
        d.ellipse((cx - r * 0.8, cy - r, cx + r * 0.8, cy + r), fill=(16, 15, 18))
        d.rectangle((cx - r * 1.6, cy + r * 0.6, cx + r * 1.6, H), fill=(18, 17, 20))
        if k % 2 == 1:
            d.rectangle((cx - r * 0.3, cy - r * 1.8, cx + r * 1.1, cy - r * 0.9), fill=(26, 26, 30))
            d.ellipse((cx + r * 0.9, cy - r * 1.6, cx + r * 1.3, cy - r * 1.1), fill=(60, 66, 80))
    return finish(img, w, h, rnd, fine=6.0, coarse=3.0, vig=0.3)


# ---------------------------------------------------------------------------------------------------
# 4. the ministers' meeting table
# ---------------------------------------------------------------------------------------------------
def ministers_table(w, h, seed=1404):
    rnd = random.Random(seed)
    W, H = w * SS, h * SS
    img = vgrad(W, H, [(0, (62, 50, 44)), (0.48, (110, 88, 70)), (0.49, (70, 56, 48)), (1, (40, 32, 30))])
    d = ImageDraw.Draw(img)
    # the back wall: wooden panels
    bw_top, bw_bot = H * 0.05, H * 0.48
    for k in range(12):
        x0 = W * k / 12
        d.rectangle((x0 + W * 0.006, bw_top, x0 + W / 12 - W * 0.006, bw_bot), fill=mix((140, 104, 72), (160, 122, 86), rnd.random()))
        for s in range(40):  # grain
            xx = x0 + W * 0.006 + rnd.random() * (W / 12 - W * 0.012)
            d.line([(xx, bw_top), (xx + rnd.uniform(-3, 3), bw_bot)], fill=mix((120, 88, 60), (170, 130, 92), rnd.random()), width=1)
    d.rectangle((0, bw_bot, W, bw_bot + H * 0.012), fill=(70, 52, 40))
    d.rectangle((0, 0, W, bw_top), fill=(226, 220, 206))
    for k in range(4):  # ceiling lights
        x = W * (k + 0.5) / 4
        glow(img, x, bw_top, W * 0.16, H * 0.18, (120, 100, 70), 0.8, 1.5)
    d = ImageDraw.Draw(img)
    # flags on poles in front of the wall
    names = ["marennia", "valdoria", "marennia", "valdoria"]
    for k, n in enumerate(names):
        x = W * (0.22 + k * 0.18)
        flag_on_pole(img, x, H * 0.1, H * 0.4, W * 0.09, H * 0.17, n, phase=k * 1.3)
    d = ImageDraw.Draw(img)
    # floor
    floor = vgrad(W, int(H - bw_bot - H * 0.012), [(0, (96, 40, 36)), (1, (60, 24, 22))])
    img.paste(floor, (0, int(bw_bot + H * 0.012)))
    d = ImageDraw.Draw(img)
    # the table in one-point perspective: near edge wide at the bottom, far edge under the flags
    vx = W * 0.5
    far_y, near_y = H * 0.52, H * 1.05
    far_half, near_half = W * 0.13, W * 0.62
    top = [(vx - far_half, far_y), (vx + far_half, far_y), (vx + near_half, near_y), (vx - near_half, near_y)]

    def edge(side, t):  # point on the long edge at depth t (0 far .. 1 near)
        y = lerp(far_y, near_y, t)
        return (vx + side * lerp(far_half, near_half, t), y)

    # chairs first (behind the table edge): backs seen over the table, both sides
    for side in (-1, 1):
        for k in range(6):
            t = (k + 0.6) / 6.5
            x, y = edge(side, t)
            s = lerp(0.35, 1.2, t)
            cw, ch = W * 0.016 * s, H * 0.2 * s
            x += side * W * 0.035 * s
            d.rounded_rectangle((x - cw, y - ch, x + cw, y + H * 0.02 * s), radius=cw * 0.6, fill=(26, 22, 24))
            d.rounded_rectangle((x - cw * 0.55, y - ch * 0.92, x + cw * 0.55, y - ch * 0.2), radius=cw * 0.4, fill=(46, 40, 42))
    d.polygon(top, fill=(58, 36, 26))
    # polished top: a soft reflection of the lights
    shine = Image.new("L", (W, H), 0)
    ImageDraw.Draw(shine).polygon([(vx - far_half * 0.6, far_y), (vx + far_half * 0.6, far_y), (vx + near_half * 0.3, near_y), (vx - near_half * 0.3, near_y)], fill=70)
    shine = shine.filter(ImageFilter.GaussianBlur(W * 0.02))
    img.paste(Image.new("RGB", (W, H), (200, 160, 120)), (0, 0), shine)
    d = ImageDraw.Draw(img)
    d.polygon([edge(-1, 0), edge(1, 0), (vx + far_half, far_y + H * 0.012), (vx - far_half, far_y + H * 0.012)], fill=(40, 24, 18))
    # a green runner down the middle
    d.polygon([(vx - far_half * 0.25, far_y), (vx + far_half * 0.25, far_y), (vx + near_half * 0.25, near_y), (vx - near_half * 0.25, near_y)], fill=(30, 78, 60))
    # places: papers, name plates, glasses, microphones along each side
    for side in (-1, 1):
        for k in range(6):
            t = (k + 0.6) / 6.5
            ex, ey = edge(side, t)
            s = lerp(0.35, 1.2, t)
            px = lerp(ex, vx, 0.22)
            # paper
            pw, ph = W * 0.05 * s, H * 0.02 * s
            d.polygon([(px - pw, ey - ph), (px + pw, ey - ph), (px + pw * 1.1, ey + ph), (px - pw * 1.1, ey + ph)], fill=(236, 234, 226))
            # name plate (a white tent) further in
            nx = lerp(ex, vx, 0.45)
            nw, nh = W * 0.035 * s, H * 0.028 * s
            d.polygon([(nx - nw, ey - nh * 0.2), (nx + nw, ey - nh * 0.2), (nx + nw, ey - nh * 1.4), (nx - nw, ey - nh * 1.4)], fill=(246, 246, 242))
            d.line([(nx - nw * 0.6, ey - nh * 0.8), (nx + nw * 0.6, ey - nh * 0.8)], fill=(40, 40, 50), width=max(1, int(nh * 0.14)))
            # a glass of water
            gx = lerp(ex, vx, 0.32) + side * W * 0.012 * s
            gr = W * 0.008 * s
            d.rectangle((gx - gr, ey - H * 0.035 * s, gx + gr, ey - H * 0.006 * s), fill=(170, 196, 210))
            d.ellipse((gx - gr, ey - H * 0.04 * s, gx + gr, ey - H * 0.03 * s), fill=(220, 236, 240))
            # a microphone on a gooseneck
            mx = lerp(ex, vx, 0.3) - side * W * 0.02 * s
            d.line([(mx, ey - H * 0.004 * s), (mx - side * W * 0.01 * s, ey - H * 0.06 * s), (mx - side * W * 0.025 * s, ey - H * 0.07 * s)], fill=(20, 20, 22), width=max(1, int(W * 0.002 * s)), joint="curve")
            d.ellipse((mx - side * W * 0.025 * s - W * 0.004 * s, ey - H * 0.075 * s, mx - side * W * 0.025 * s + W * 0.004 * s, ey - H * 0.065 * s), fill=(200, 40, 40))
    # two desk flags on a small stand at the head of the table
    for k, n in enumerate(("valdoria", "marennia")):
        x = vx + (k - 0.5) * W * 0.07
        y = H * 0.66
        d.rectangle((x - W * 0.002, y - H * 0.09, x + W * 0.002, y), fill=(200, 190, 150))
        f = fabric(flag_image(n, W * 0.05, H * 0.05), folds=2, depth=0.3, phase=k)
        img.paste(f, (int(x + W * 0.002), int(y - H * 0.09)))
    d = ImageDraw.Draw(img)
    d.rectangle((vx - W * 0.05, H * 0.66, vx + W * 0.05, H * 0.67), fill=(90, 80, 60))
    return finish(img, w, h, rnd, fine=3.0, coarse=2.0, vig=0.3)


# ---------------------------------------------------------------------------------------------------
# 5. a storm map (flat colours: a PNG)
# ---------------------------------------------------------------------------------------------------
def storm_map(w, h, seed=1505):
    rnd = random.Random(seed)
    W, H = w * SS, h * SS
    sea = (170, 206, 226)
    img = Image.new("RGB", (W, H), sea)
    # depth bands from blurred noise, thresholded into three levels
    nw, nh = 40, int(40 * H / W)
    n = Image.frombytes("L", (nw, nh), rnd.randbytes(nw * nh)).resize((W, H), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(W * 0.01))
    down = Image.linear_gradient("L").resize((W, H))
    across = Image.linear_gradient("L").rotate(90).resize((W, H))
    depth = ImageChops.add(n, ImageChops.add(down, ImageChops.invert(across), 2.0), 2.0)
    for thr, col in ((110, (150, 192, 218)), (140, (128, 176, 208))):
        m = depth.point(lambda v, t=thr: 255 if v > t else 0)
        img.paste(col, (0, 0), m)
    d = ImageDraw.Draw(img)
    # the land: north and west of a jagged coast that runs from the upper right to the lower left
    coast = []
    hts = ridge(rnd, 8, 0.6, 1.0)
    for i, v in enumerate(hts):
        t = i / (len(hts) - 1)
        x = lerp(W * 1.02, W * -0.02, t)
        y = lerp(H * 0.18, H * 0.92, t) + v * H * 0.05 + math.sin(t * 7) * H * 0.03
        coast.append((x, y))
    land_poly = [(W * 1.02, -H * 0.02)] + coast + [(-W * 0.02, -H * 0.02)]
    d.polygon(land_poly, fill=(228, 222, 196))
    # hills: two raised shades inland
    land_mask = Image.new("L", (W, H), 0)
    ImageDraw.Draw(land_mask).polygon(land_poly, fill=255)
    hn = Image.frombytes("L", (16, 11), rnd.randbytes(16 * 11)).resize((W, H), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(W * 0.02))
    for thr, col in ((150, (212, 206, 172)), (185, (196, 188, 150))):
        m = ImageChops.multiply(hn.point(lambda v, t=thr: 255 if v > t else 0), land_mask)
        img.paste(col, (0, 0), m)
    d = ImageDraw.Draw(img)
    d.line(coast, fill=(96, 120, 136), width=max(1, int(W * 0.0015)))
    # the red alert stretch of coast
    a0, a1 = int(len(coast) * 0.35), int(len(coast) * 0.72)
    d.line(coast[a0:a1], fill=(208, 32, 40), width=max(2, int(W * 0.006)))
    # an island group out at sea
    for _ in range(5):
        ix, iy = rnd.uniform(0.62, 0.8) * W, rnd.uniform(0.68, 0.84) * H
        r = rnd.uniform(0.006, 0.014) * W
        pts = [(ix + r * (1 + 0.3 * rnd.uniform(-1, 1)) * math.cos(a / 10 * 2 * math.pi), iy + r * 0.7 * (1 + 0.3 * rnd.uniform(-1, 1)) * math.sin(a / 10 * 2 * math.pi)) for a in range(10)]
        d.polygon(pts, fill=(228, 222, 196), outline=(96, 120, 136))
    # the land border with Marennia, dashed, in the west
    bpts = [(W * 0.12, 0), (W * 0.16, H * 0.18), (W * 0.13, H * 0.36), (W * 0.19, H * 0.52), (W * 0.2, H * 0.62)]
    for (x0, y0), (x1, y1) in zip(bpts, bpts[1:]):
        steps = 12
        for s in range(0, steps, 2):
            d.line([(lerp(x0, x1, s / steps), lerp(y0, y1, s / steps)), (lerp(x0, x1, (s + 1) / steps), lerp(y0, y1, (s + 1) / steps))], fill=(120, 90, 120), width=max(1, int(W * 0.003)))
    # a grid of reference squares (no real coordinates: the places are invented)
    for k in range(1, 6):
        x = W * k / 6
        d.line([(x, 0), (x, H)], fill=(120, 140, 150), width=1)
    for k in range(1, 4):
        y = H * k / 4
        d.line([(0, y), (W, y)], fill=(120, 140, 150), width=1)
    fs = font(H * 0.022)
    for k in range(6):
        d.text((W * (k + 0.5) / 6, H * 0.005), "ABCDEF"[k], font=fs, fill=(90, 110, 120))
    for k in range(4):
        d.text((W * 0.005, H * (k + 0.5) / 4), str(k + 1), font=fs, fill=(90, 110, 120))
    # cone of uncertainty and forecast track: from the open sea in the south-east towards the coast
    track = [(W * 0.88, H * 0.9), (W * 0.73, H * 0.72), (W * 0.59, H * 0.55), (W * 0.48, H * 0.38)]
    cone = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    cdr = ImageDraw.Draw(cone)
    left_side, right_side = [], []
    dx, dy = track[-1][0] - track[0][0], track[-1][1] - track[0][1]
    norm = math.hypot(dx, dy)
    ux, uy = dx / norm, dy / norm  # along the track
    px_, py_ = -uy, ux  # across it
    for i, (x, y) in enumerate(track):
        r = W * (0.012 + 0.03 * i)
        left_side.append((x + px_ * r, y + py_ * r))
        right_side.append((x - px_ * r, y - py_ * r))
    x, y = track[-1]
    r = W * 0.102
    cap = [(x + ux * r * math.sin(a) + px_ * r * math.cos(a), y + uy * r * math.sin(a) + py_ * r * math.cos(a)) for a in [k * math.pi / 12 for k in range(13)]]
    cdr.polygon(left_side + cap + right_side[::-1], fill=(250, 250, 250, 120), outline=(60, 60, 80, 200))
    img.paste(cone, (0, 0), cone)
    d = ImageDraw.Draw(img)
    d.line(coast[a0:a1], fill=(208, 32, 40), width=max(2, int(W * 0.006)))  # the warning stays on top
    d.line(track, fill=(40, 40, 60), width=max(1, int(W * 0.003)))
    labels = ["10 NOV 12:00", "10 NOV 18:00", "11 NOV 06:00", "11 NOV 22:00"]
    fl = font(H * 0.022)
    for (x, y), lab, i in zip(track, labels, range(4)):
        r = W * (0.009 if i else 0.013)
        d.ellipse((x - r, y - r, x + r, y + r), fill=(208, 32, 40) if i == 0 else (250, 250, 250), outline=(40, 40, 60), width=max(1, int(W * 0.0015)))
        tx = x + W * 0.018 if i else x - W * 0.018 - d.textlength(lab, font=fl)
        d.text((tx, y - H * 0.012), lab, font=fl, fill=(30, 30, 50))
    # the storm symbol at the present position
    sx, sy = track[0]
    for a0 in (0, math.pi):
        pts = [(sx + W * 0.012 * (1 + u / 6) * math.cos(a0 + u * 0.35), sy + W * 0.012 * (1 + u / 6) * math.sin(a0 + u * 0.35)) for u in range(12)]
        d.line(pts, fill=(208, 32, 40), width=max(1, int(W * 0.004)))
    # towns
    towns = [("PUERTO ELLERY", coast[int(len(coast) * 0.52)], (-0.02, -0.04), True), ("KESSEL", (W * 0.54, H * 0.1), (-0.07, -0.035), False), ("CIUDAD DE VALDOR", (W * 0.36, H * 0.3), (0.012, -0.01), True), ("ARNAVO", (W * 0.3, H * 0.5), (-0.09, 0.012), False), ("SAN TELMO", (W * 0.72, H * 0.2), (0.012, 0.0), False), ("LUSSAN", (W * 0.05, H * 0.44), (0.012, -0.01), False)]
    ft = font(H * 0.026)
    for name, (x, y), (ox, oy), big in towns:
        r = W * (0.007 if big else 0.005)
        if name == "PUERTO ELLERY":
            x, y = x - W * 0.01, y - H * 0.012
        d.rectangle((x - r, y - r, x + r, y + r), fill=(30, 30, 40)) if big else d.ellipse((x - r, y - r, x + r, y + r), fill=(30, 30, 40))
        d.text((x + ox * W, y + oy * H), name, font=ft, fill=(30, 30, 40), stroke_width=max(1, int(W * 0.0015)), stroke_fill=(240, 238, 226))
    fc = font(H * 0.03)
    d.text((W * 0.015, H * 0.22), "MARENNIA", font=fc, fill=(120, 90, 120))
    d.text((W * 0.4, H * 0.16), "VALDORIA", font=font(H * 0.04), fill=(150, 140, 110))
    d.text((W * 0.55, H * 0.86), "ISLAS CORALES", font=ft, fill=(60, 90, 110))
    # title box and legend
    d.rectangle((W * 0.62, H * 0.03, W * 0.98, H * 0.2), fill=(255, 255, 255), outline=(40, 40, 60), width=max(1, int(W * 0.0015)))
    d.rectangle((W * 0.62, H * 0.03, W * 0.98, H * 0.075), fill=(208, 32, 40))
    d.text((W * 0.635, H * 0.038), "ALERTA ROJA", font=font(H * 0.032), fill=(255, 255, 255))
    d.text((W * 0.635, H * 0.085), "Tormenta tropical Irena", font=font(H * 0.028), fill=(30, 30, 40))
    d.line([(W * 0.635, H * 0.14), (W * 0.67, H * 0.14)], fill=(208, 32, 40), width=max(2, int(W * 0.006)))
    d.text((W * 0.68, H * 0.128), "Costa en alerta", font=fl, fill=(30, 30, 40))
    d.polygon([(W * 0.635, H * 0.175), (W * 0.67, H * 0.165), (W * 0.67, H * 0.185)], fill=(235, 235, 240), outline=(60, 60, 80))
    d.text((W * 0.68, H * 0.162), "Trayectoria prevista", font=fl, fill=(30, 30, 40))
    # scale bar and credit
    d.rectangle((W * 0.04, H * 0.9, W * 0.14, H * 0.908), fill=(30, 30, 40))
    d.rectangle((W * 0.09, H * 0.9, W * 0.14, H * 0.908), fill=(250, 250, 250), outline=(30, 30, 40))
    d.text((W * 0.04, H * 0.865), "0        100 km", font=fl, fill=(30, 30, 40))
    d.text((W * 0.04, H * 0.945), "ANV / Infografia", font=fl, fill=(60, 70, 80))
    return big_to(img, w, h)


def big_to(img, w, h):
    # a map stays crisp: no grain or vignette, and a plain reduction
    return img.resize((w, h), Image.Resampling.LANCZOS).quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).convert("RGB")


SCENES = {
    "border-dusk": border_dusk,
    "harbour-patrol": harbour_patrol,
    "podium-skyline": podium_skyline,
    "ministers-table": ministers_table,
    "storm-map": storm_map,
}
