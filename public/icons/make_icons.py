# Draws flowlab's app icons (PNG, no dependencies): a rounded square in the page's accent blue
# with three white flow lines of growing length ending in dots (a "flows -> classes" mark).
import struct, zlib, sys

def png(path, size, maskable=False):
    bg = (33, 96, 196)    # accent blue
    fg = (255, 255, 255)
    s = size
    r = 0 if maskable else s * 0.18   # corner radius (maskable fills the whole square)
    px = bytearray()
    # geometry in unit square; maskable keeps content inside the 80% safe zone
    scale = 0.62 if maskable else 0.78
    off = (1 - scale) / 2
    lines = [(0.22, 0.55), (0.50, 0.80), (0.78, 0.40)]  # (y, length)
    thick = 0.075
    dot = 0.085
    def inside_rounded(x, y):
        if r == 0:
            return True
        cx = min(max(x, r), s - r)
        cy = min(max(y, r), s - r)
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    def fg_cover(u, v):
        # u, v in unit coords of the content box
        for (ly, ln) in lines:
            x0, x1 = 0.08, 0.08 + ln
            if x0 <= u <= x1 and abs(v - ly) <= thick / 2:
                return True
            if (u - x1) ** 2 + (v - ly) ** 2 <= dot ** 2:
                return True
        return False
    for y in range(s):
        px.append(0)
        for x in range(s):
            # 4x supersampling
            cov_in = 0
            cov_fg = 0
            for sy in (0.125, 0.375, 0.625, 0.875):
                for sx in (0.125, 0.375, 0.625, 0.875):
                    X, Y = x + sx, y + sy
                    if inside_rounded(X, Y):
                        cov_in += 1
                        u = (X / s - off) / scale
                        v = (Y / s - off) / scale
                        if 0 <= u <= 1 and 0 <= v <= 1 and fg_cover(u, v):
                            cov_fg += 1
            a = cov_in / 16
            f = cov_fg / max(cov_in, 1)
            col = [round(bg[i] * (1 - f) + fg[i] * f) for i in range(3)]
            px += bytes(col + [round(a * 255)])
    raw = bytes(px)
    def chunk(t, d):
        c = struct.pack('>I', len(d)) + t + d
        return c + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', s, s, 8, 6, 0, 0, 0)) \
        + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    open(path, 'wb').write(data)

png('icon-192.png', 192)
png('icon-512.png', 512)
png('icon-maskable-512.png', 512, maskable=True)
png('icon-32.png', 32)
