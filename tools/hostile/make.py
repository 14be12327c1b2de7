#!/usr/bin/env python3
# Writes the hostile inputs of issue 21 under ./cases (run from a scratch folder; needs Pillow for the clean images).
import os, struct, zipfile, zlib, io, shutil
from PIL import Image
root = os.path.abspath("cases"); shutil.rmtree(root, ignore_errors=True); os.makedirs(root)
def C(name): return os.path.join(root, name)

class P:
    def __init__(s): s.b = bytearray(b"\x80\x02")
    def op(s, *bs): s.b += bytes(bs); return s
    def raw(s, b): s.b += b; return s
    def uni(s, t): u = t.encode(); s.b += b"X" + struct.pack("<I", len(u)) + u; return s
    def int_(s, v):
        if 0 <= v < 256: s.b += b"K" + bytes([v])
        elif -2**31 <= v < 2**31: s.b += b"J" + struct.pack("<i", v)
        else: s.b += b"L" + str(v).encode() + b"L\n"
        return s
    def glob(s, m, n): s.b += b"c" + m.encode() + b"\n" + n.encode() + b"\n"; return s
    def tensor(s, key, elements, offset, size, stride, storage="FloatStorage"):
        s.glob("torch._utils", "_rebuild_tensor_v2").op(ord("("))
        s.op(ord("(")).uni("storage").glob("torch", storage).uni(key).uni("cpu").int_(elements).op(ord("t"), ord("Q"))
        s.int_(offset).op(ord("("))
        for v in size: s.int_(v)
        s.op(ord("t"), ord("("))
        for v in stride: s.int_(v)
        s.op(ord("t"), 0x89).glob("collections", "OrderedDict").op(ord(")"), ord("R"), ord("t"), ord("R"))
        return s
    def done(s): return bytes(s.b + b".")

def ckpt(name, pkl, storages, pkl_deflate=False, deflate=False):
    with zipfile.ZipFile(C(name), "w") as z:
        z.writestr(zipfile.ZipInfo("archive/data.pkl"), pkl, compress_type=zipfile.ZIP_DEFLATED if pkl_deflate else zipfile.ZIP_STORED)
        for k, v in storages.items():
            z.writestr(zipfile.ZipInfo(f"archive/data/{k}"), v, compress_type=zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED)

four = bytes(16)
# 1. an ordered dict that refers to itself under 10 keys
p = P().op(ord("}"), ord("q"), 0, ord("(")).uni("w").tensor("0", 4, 0, [4], [1])
for k in range(10): p.uni(f"k{k}").op(ord("h"), 0)
ckpt("selfref10.pth", p.op(ord("u")).done(), {"0": four})
# 2. 268 million empty-list opcodes (deflated)
body = b"(" + b"]" * 268_000_000 + b"1"
p = P().raw(body).op(ord("}")).uni("w").tensor("0", 4, 0, [4], [1]).op(ord("s"))
ckpt("emptylists.pth", p.done(), {"0": four}, pkl_deflate=True); del body, p
# 3. thirty directory records pointing at one deflated 400 MB entry
n = 100_000_000
p = P().op(ord("}"), ord("("))
for i in range(30): p.uni(f"w{i}").tensor(str(i), n, 0, [n], [1])
pkl = p.op(ord("u")).done()
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr(zipfile.ZipInfo("archive/data.pkl"), pkl)
    z.writestr(zipfile.ZipInfo("archive/data/0"), bytes(4 * n), compress_type=zipfile.ZIP_DEFLATED)
data = buf.getvalue()
eocd = data.rfind(b"PK\x05\x06"); cd_size, cd_off = struct.unpack("<II", data[eocd+12:eocd+20])
cd = data[cd_off:cd_off+cd_size]
# split central records
recs = []; i = 0
while i < len(cd):
    nl, el, cl = struct.unpack("<HHH", cd[i+28:i+34]); ln = 46 + nl + el + cl; recs.append(cd[i:i+ln]); i += ln
rec0 = recs[1]; name0 = b"archive/data/0"
extra = []
for k in range(1, 30):
    nm = f"archive/data/{k}".encode()
    r = bytearray(rec0[:46]) + nm + rec0[46+len(name0):]
    struct.pack_into("<H", r, 28, len(nm)); extra.append(bytes(r))
newcd = b"".join(recs + extra)
eo = bytearray(data[eocd:eocd+22]); struct.pack_into("<HHII", eo, 8, len(recs)+29, len(recs)+29, len(newcd), cd_off)
open(C("zip30.pth"), "wb").write(data[:cd_off] + newcd + bytes(eo)); del data, buf
# 4. stride-0 view of a one-float storage sized 200 million
ckpt("stride0.pth", P().op(ord("}")).uni("w").tensor("0", 1, 0, [200_000_000], [0]).op(ord("s")).done(), {"0": bytes(4)})
# 5. 400 views of one 4 MB storage
m = 1 << 20
p = P().op(ord("}"), ord("("))
for i in range(400): p.uni(f"w{i}").tensor("0", m, 0, [m], [1])
ckpt("views400.pth", p.op(ord("u")).done(), {"0": bytes(4 * m)})
# 6. a tensor name of 1,000,000 dots
ckpt("dots.pth", P().op(ord("}")).uni("." * 1_000_000).tensor("0", 4, 0, [4], [1]).op(ord("s")).done(), {"0": four})
# 7. a LONG of 60 million digits (deflated)
p = P().raw(b"L" + b"9" * 60_000_000 + b"L\n0").op(ord("}")).uni("w").tensor("0", 4, 0, [4], [1]).op(ord("s"))
ckpt("long60m.pth", p.done(), {"0": four}, pkl_deflate=True); del p
# 11. sizes whose product overflows
ckpt("overflow.pth", P().op(ord("}")).uni("w").tensor("0", 4, 0, [2**40, 2**40], [1, 1]).op(ord("s")).done(), {"0": four})
# 12. an empty tensor whose offset is past its storage
ckpt("emptyoffset.pth", P().op(ord("}")).uni("w").tensor("0", 4, 1000, [0], [1]).op(ord("s")).done(), {"0": four})
# 13. a storage claiming 2,147,483,600 elements
ckpt("bigstorage.pth", P().op(ord("}")).uni("w").tensor("0", 2_147_483_600, 0, [4], [1], "ByteStorage").op(ord("s")).done(), {"0": four})
# 18. a tensor name with a newline and a terminal escape
ckpt("escape.pth", P().op(ord("}")).uni("conv1\n\x1b[31mRED\x1b[0m").tensor("0", 4, 0, [4], [1]).op(ord("s")).done(), {"0": four})
# 19. conv1.weight set twice in one state dict
p = P().glob("collections", "OrderedDict").op(ord(")"), ord("R"), ord("(")).uni("w").tensor("0", 4, 0, [4], [1]).uni("w").tensor("1", 4, 0, [4], [1]).op(ord("u"))
ckpt("duplicate.pth", p.done(), {"0": four, "1": four})
# 8. a FIFO as --weights
os.mkfifo(C("fifo.pth"))
# clean folders: a good one, one with link loops, one with a FIFO image, one whose class folder links to /proc/self
def folder(name):
    d = C(name)
    for c in range(10):
        os.makedirs(f"{d}/c{c}", exist_ok=True)
        for i in range(3): Image.new("L", (28, 28), color=20 * c + i).save(f"{d}/c{c}/{i}.png")
    return d
folder("clean")
d = folder("clean-loops"); os.symlink(".", f"{d}/c0/l1"); os.symlink(".", f"{d}/c0/l2")
d = folder("clean-fifo"); os.mkfifo(f"{d}/c0/wait.png")
d = folder("clean-proc"); shutil.rmtree(f"{d}/c9"); os.symlink("/proc/self", f"{d}/c9")
print("made", sorted(os.listdir(root)))
