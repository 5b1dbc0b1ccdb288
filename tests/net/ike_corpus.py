#!/usr/bin/env python3
"""Malformed IKE/ESP datagram corpus: generator and replayer.

  ike_corpus.py gen FILE            write the corpus (deterministic, seed 11)
  ike_corpus.py replay FILE HOST    send it to HOST:500/4500, then check that a
                                    valid IKE_SA_INIT is still answered

Every line of the corpus: "PORT TAG FLAGS HEX". PORT 500 = plain IKE, 4500 =
IKE behind the non-ESP marker or ESP-in-UDP (the bytes are sent as they are,
the marker is part of HEX). FLAGS "spi": the replayer patches SPIi/SPIr of a
live half-open SA into the header first, so the datagram reaches SK
decryption. What is in it (RFC 7296 §3, RFC 3948, RFC 7383, RFC 8031):
every length field of every payload and substructure at 0, 1, header-1,
header, len-1, len+1, max; counts (proposals, transforms, TS, SPIs) at 0, 1,
max, +1; type confusion (every payload relabelled as every other, critical
on and off); header fields (version, exchange, flags, SPIs, message ID,
length); small-order and out-of-range X25519 points; SK and SKF sizes;
port-4500 framing (empty, keepalive, short marker, ESP of every short
length); bit flips, truncations and splices of the strongSwan captures in
tests/vectors.
"""
import os
import random
import select
import socket
import struct
import sys

SA, KE, IDI, IDR, CERT, CERTREQ, AUTH, NONCE, N, D, V, TSI, TSR, SK, CP, EAP = range(33, 49)
SKF = 53
ALL_TYPES = list(range(33, 49)) + [SKF]
SA_INIT, IKE_AUTH, CREATE_CHILD, INFORMATIONAL = 34, 35, 36, 37

# RFC 7748 / libsodium's blacklist: small-order X25519 points, and p, p+1
SMALL_ORDER = [
    "00" * 32,
    "01" + "00" * 31,
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "cdeb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
    "4c9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7",
    "d9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "daffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "dbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ff" * 32,
]


def payload(ptype, body, critical=False, plen=None):
    """Generic payload header + body; the next-payload byte is patched by chain()."""
    n = 4 + len(body) if plen is None else plen
    return [ptype, bytes([0, 0x80 if critical else 0]) + struct.pack(">H", n & 0xFFFF) + body]


def chain(payloads):
    """(first type, bytes) with the next-payload fields filled in."""
    out = b""
    for i, (t, raw) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        out += bytes([nxt]) + raw[1:]
    return (payloads[0][0] if payloads else 0), out


def header(spi_i, spi_r, first, exch, flags, msg_id, body_len, version=0x20, length=None):
    total = 28 + body_len if length is None else length
    return spi_i + spi_r + struct.pack(">BBBBII", first, version, exch, flags, msg_id, total & 0xFFFFFFFF)


def message(payloads, exch=SA_INIT, flags=0x08, msg_id=0, spi_i=None, spi_r=b"\0" * 8, **kw):
    first, body = chain(payloads)
    spi_i = spi_i if spi_i is not None else os.urandom(8)
    return header(spi_i, spi_r, first, exch, flags, msg_id, len(body), **kw) + body


def transform(ttype, tid, attrs=b"", last=False, tlen=None):
    n = 8 + len(attrs) if tlen is None else tlen
    return struct.pack(">BBHBBH", 0 if last else 3, 0, n & 0xFFFF, ttype, 0, tid) + attrs


def proposal(transforms, num=1, proto=1, spi=b"", last=True, plen=None, ntrans=None):
    body = struct.pack(">BBBB", num, proto, len(spi), len(transforms) if ntrans is None else ntrans)
    body += spi + b"".join(transforms)
    n = 4 + len(body) if plen is None else plen
    return struct.pack(">BBH", 0 if last else 2, 0, n & 0xFFFF) + body


def good_transforms():
    return [transform(1, 28), transform(2, 5), transform(4, 31, last=True)]


def good_sa():
    return payload(SA, proposal(good_transforms()))


def good_ke(pub=None):
    return payload(KE, struct.pack(">HH", 31, 0) + (pub if pub is not None else os.urandom(32)))


def good_nonce(n=32):
    return payload(NONCE, os.urandom(n))


def notify(ntype, data=b"", proto=0, spi=b""):
    return payload(N, struct.pack(">BBH", proto, len(spi), ntype) + spi + data)


def valid_init(cookie=None, spi_i=None, nonce=None):
    ps = []
    if cookie:
        ps.append(notify(16390, cookie))
    ps += [good_sa(), good_ke(), payload(NONCE, nonce) if nonce else good_nonce()]
    return message(ps, spi_i=spi_i)


def ts_body(entries, count=None):
    body = struct.pack(">BBH", len(entries) if count is None else count, 0, 0)
    for t, proto, tlen, start, end in entries:
        body += struct.pack(">BBHHH", t, proto, tlen, 0, 65535) + start + end
    return body


class Corpus:
    def __init__(self):
        self.lines = []

    def add(self, tag, data, port=500, flags="-"):
        self.lines.append("%d %s %s %s" % (port, tag, flags, data.hex() if data else "-"))


def length_variants(real, hdr):
    """0, 1, hdr-1, hdr, real-1, real+1, 0xffff (deduplicated, real excluded)."""
    vs = [0, 1, max(hdr - 1, 0), hdr, real - 1, real + 1, 0xFFFF, 0x8000]
    return sorted(set(v for v in vs if v >= 0 and v != real))


def gen_payload_lengths(c):
    """Every payload of a valid IKE_SA_INIT, its length at every boundary."""
    base = [good_sa(), good_ke(), good_nonce(), notify(16388, os.urandom(20)),
            notify(16389, os.urandom(20)), payload(V, os.urandom(16))]
    for i, (t, raw) in enumerate(base):
        real = len(raw)
        for v in length_variants(real, 4):
            ps = [list(p) for p in base]
            ps[i][1] = raw[:2] + struct.pack(">H", v) + raw[4:]
            c.add("len/payload%d-%s=%d" % (i, t, v), message(ps))
    # the header length
    m = valid_init()
    for v in [0, 1, 27, 28, 29, len(m) - 1, len(m) + 1, 0xFFFF, 0xFFFFFFFF]:
        c.add("len/header=%d" % v, m[:24] + struct.pack(">I", v) + m[28:])
    # truncated and extended datagrams
    for cut in list(range(0, 36)) + [len(m) - 1, len(m) - 4]:
        c.add("len/truncated=%d" % cut, m[:cut])
    c.add("len/trailing", m[:24] + struct.pack(">I", len(m) + 7) + m[28:] + os.urandom(7))


def gen_sa_substructures(c):
    trs = good_transforms()
    real_p = len(proposal(trs))
    for v in length_variants(real_p, 8) + [7, 9]:
        c.add("sa/proposal_len=%d" % v, message([payload(SA, proposal(trs, plen=v)), good_ke(), good_nonce()]))
    for n in [0, 1, 2, 4, 64, 65, 255]:
        c.add("sa/ntransforms=%d" % n, message([payload(SA, proposal(trs, ntrans=n)), good_ke(), good_nonce()]))
    for spi_len in [1, 4, 8, 9, 16, 255]:
        body = proposal(trs, spi=os.urandom(min(spi_len, 16)))
        body = body[:6] + bytes([spi_len]) + body[7:]
        c.add("sa/spi_size=%d" % spi_len, message([payload(SA, body), good_ke(), good_nonce()]))
    for i in range(3):
        for v in [0, 1, 7, 9, 0xFFFF, 0x8000]:
            t = list(trs)
            t[i] = transform(*[(1, 28), (2, 5), (4, 31)][i], last=(i == 2), tlen=v)
            c.add("sa/transform%d_len=%d" % (i, v), message([payload(SA, proposal(t)), good_ke(), good_nonce()]))
    for last in [0, 1, 2, 4, 255]:
        t = list(trs)
        t[2] = bytes([last]) + t[2][1:]
        c.add("sa/transform_last=%d" % last, message([payload(SA, proposal(t)), good_ke(), good_nonce()]))
        p = proposal(trs)
        c.add("sa/proposal_last=%d" % last, message([payload(SA, bytes([last]) + p[1:]), good_ke(), good_nonce()]))
    # attributes: KEY_LENGTH TV values, TLV lengths that lie
    for kl in [0, 1, 128, 256, 257, 0xFFFF]:
        t = [transform(1, 20, struct.pack(">HH", 0x800E, kl)), transform(2, 5), transform(4, 31, last=True)]
        c.add("sa/key_length=%d" % kl, message([payload(SA, proposal(t)), good_ke(), good_nonce()]))
    for tl in [0, 1, 3, 4, 100, 0xFFFF]:
        attrs = struct.pack(">HH", 0x000E, tl) + b"\x00" * 4
        t = [transform(1, 28, attrs), transform(2, 5), transform(4, 31, last=True)]
        c.add("sa/tlv_attr_len=%d" % tl, message([payload(SA, proposal(t)), good_ke(), good_nonce()]))
    c.add("sa/attr_short", message([payload(SA, proposal([transform(1, 28, b"\x80"), transform(4, 31, last=True)])),
                                    good_ke(), good_nonce()]))
    # many proposals, proposal numbers out of order, another protocol
    many = b"".join(proposal(trs, num=i + 1, last=(i == 39)) for i in range(40))
    c.add("sa/40_proposals", message([payload(SA, many), good_ke(), good_nonce()]))
    for num in [0, 2, 255]:
        c.add("sa/proposal_num=%d" % num, message([payload(SA, proposal(trs, num=num)), good_ke(), good_nonce()]))
    for proto in [0, 2, 3, 4, 255]:
        c.add("sa/protocol=%d" % proto, message([payload(SA, proposal(trs, proto=proto)), good_ke(), good_nonce()]))
    c.add("sa/empty", message([payload(SA, b""), good_ke(), good_nonce()]))
    c.add("sa/transform_types", message([payload(SA, proposal([transform(t, 1) for t in range(0, 6)] +
                                                               [transform(255, 65535, last=True)])),
                                         good_ke(), good_nonce()]))


def gen_ke_nonce(c):
    for h in SMALL_ORDER:
        c.add("ke/small_order", message([good_sa(), good_ke(bytes.fromhex(h)), good_nonce()]))
    for n in [0, 1, 16, 31, 33, 64, 256, 1024]:
        c.add("ke/data_len=%d" % n, message([good_sa(), good_ke(os.urandom(n)), good_nonce()]))
    for g in [0, 1, 2, 14, 19, 30, 32, 0xFFFF]:
        c.add("ke/group=%d" % g, message([good_sa(), payload(KE, struct.pack(">HH", g, 0) + os.urandom(32)),
                                          good_nonce()]))
    c.add("ke/short_header", message([good_sa(), payload(KE, b"\x00\x1f"), good_nonce()]))
    for n in [0, 1, 15, 16, 17, 255, 256, 257, 2000]:
        c.add("nonce/len=%d" % n, message([good_sa(), good_ke(), payload(NONCE, os.urandom(n))]))


def gen_notify(c):
    for spi_len in [0, 1, 4, 8, 16, 255]:
        for dl in [0, 1, 64]:
            body = struct.pack(">BBH", 1, spi_len, 16388) + os.urandom(min(spi_len, 16)) + os.urandom(dl)
            c.add("n/spi=%d,data=%d" % (spi_len, dl), message([good_sa(), good_ke(), good_nonce(), payload(N, body)]))
    for cl in [0, 1, 32, 33, 64, 65, 200]:
        c.add("n/cookie_len=%d" % cl, message([notify(16390, os.urandom(cl)), good_sa(), good_ke(), good_nonce()]))
        c.add("n/cookie_late_len=%d" % cl, message([good_sa(), good_ke(), good_nonce(), notify(16390, os.urandom(cl))]))
    for t in [0, 1, 7, 14, 16383, 16384, 16388, 16389, 16404, 16418, 16431, 65535]:
        c.add("n/type=%d" % t, message([good_sa(), good_ke(), good_nonce(), notify(t, os.urandom(20))]))
    for dl in [0, 1, 19, 21, 255]:
        c.add("n/natd_len=%d" % dl, message([good_sa(), good_ke(), good_nonce(), notify(16388, os.urandom(dl)),
                                             notify(16389, os.urandom(dl))]))
    c.add("n/sighash_odd", message([good_sa(), good_ke(), good_nonce(), notify(16431, b"\x00\x02\x00")]))
    c.add("n/short", message([good_sa(), good_ke(), good_nonce(), payload(N, b"\x00\x00")]))
    c.add("n/many", message([good_sa(), good_ke(), good_nonce()] + [notify(16384) for _ in range(40)]))


def other_bodies():
    """Bodies of payloads that may only appear inside SK, and odd ones, at boundaries."""
    v4 = (7, 0, 16, b"\x0a\x00\x00\x00", b"\x0a\xff\xff\xff")
    v6 = (8, 0, 40, b"\x20" + b"\x00" * 15, b"\x20" + b"\xff" * 15)
    out = []
    for n in [0, 1, 16, 17, 255]:
        out.append((TSI, "ts_count=%d" % n, ts_body([v4] * min(n, 17), count=n)))
    out.append((TSI, "ts_len_lie", ts_body([(7, 0, 40, v4[3], v4[4])])))
    out.append((TSR, "ts_type=9", ts_body([(9, 0, 16, v4[3], v4[4])])))
    out.append((TSR, "ts_start>end", ts_body([(7, 0, 16, v4[4], v4[3])])))
    out.append((TSI, "ts_v6", ts_body([v6, v4])))
    out.append((TSI, "ts_short", ts_body([v4])[:-3]))
    for idt in [0, 1, 2, 3, 5, 9, 11, 255]:
        out.append((IDI, "id_type=%d" % idt, bytes([idt, 0, 0, 0]) + os.urandom(4)))
    out.append((IDI, "id_v4_len5", bytes([1, 0, 0, 0]) + os.urandom(5)))
    out.append((IDR, "id_v6_len15", bytes([5, 0, 0, 0]) + os.urandom(15)))
    out.append((IDI, "id_empty", bytes([2, 0, 0, 0])))
    for m in [0, 1, 2, 14, 255]:
        out.append((AUTH, "auth_method=%d" % m, bytes([m, 0, 0, 0]) + os.urandom(64)))
    out.append((AUTH, "auth_empty", bytes([2, 0, 0, 0])))
    for proto, spi_len, n, extra in [(1, 0, 0, 0), (1, 8, 1, 8), (3, 4, 0, 0), (3, 4, 1, 0), (3, 4, 2, 4),
                                     (3, 4, 65535, 4), (3, 0, 1, 0), (3, 255, 1, 4), (0, 4, 1, 4), (2, 4, 1, 4)]:
        out.append((D, "delete_%d_%d_%d" % (proto, spi_len, n), struct.pack(">BBH", proto, spi_len, n) + os.urandom(extra)))
    out.append((D, "delete_33_spis", struct.pack(">BBH", 3, 4, 33) + os.urandom(132)))
    out.append((CERT, "cert", b"\x04" + os.urandom(40)))
    out.append((CERTREQ, "certreq", b"\x04" + os.urandom(20)))
    out.append((CP, "cp", b"\x01\x00\x00\x00\x00\x01\x00\x00"))
    out.append((EAP, "eap", b"\x01\x01\x00\x05\x01"))
    for num, total in [(0, 0), (1, 0), (1, 1), (2, 1), (1, 65535), (65535, 65535)]:
        out.append((SKF, "skf_%d_of_%d" % (num, total), struct.pack(">HH", num, total) + os.urandom(40)))
    out.append((SKF, "skf_short", b"\x00\x01"))
    out.append((SK, "sk_in_clear", os.urandom(40)))
    out.append((V, "vendor_empty", b""))
    out.append((100, "unknown100", os.urandom(8)))
    out.append((255, "unknown255", os.urandom(8)))
    return out


def gen_type_confusion(c):
    bodies = other_bodies()
    for t, tag, body in bodies:
        for crit in (False, True):
            c.add("place/%s%s" % (tag, "/crit" if crit else ""),
                  message([good_sa(), good_ke(), good_nonce(), payload(t, body, critical=crit)]))
    # every payload of a valid IKE_SA_INIT relabelled as every other type
    base = [good_sa(), good_ke(), good_nonce(), notify(16388, os.urandom(20))]
    for i in range(len(base)):
        for t in ALL_TYPES + [0, 1, 32, 49, 52, 54, 100, 255]:
            if t == base[i][0]:
                continue
            ps = [list(p) for p in base]
            ps[i][0] = t
            crit = (t % 2) == 1
            ps[i][1] = ps[i][1][:1] + bytes([0x80 if crit else 0]) + ps[i][1][2:]
            c.add("confuse/%d-as-%d" % (base[i][0], t), message(ps))
    # duplicates
    for dup in (good_sa, good_ke, good_nonce):
        c.add("dup/%s" % dup.__name__, message([good_sa(), good_ke(), good_nonce(), dup()]))
    c.add("dup/32_payloads", message([good_sa(), good_ke(), good_nonce()] + [payload(V, b"x")] * 30))
    c.add("dup/33_payloads", message([good_sa(), good_ke(), good_nonce()] + [payload(V, b"x")] * 31))


def gen_header(c):
    m = valid_init()
    for ver in [0x00, 0x10, 0x1f, 0x21, 0x2f, 0x30, 0x3f, 0xf0, 0xff]:
        c.add("hdr/version=%02x" % ver, m[:17] + bytes([ver]) + m[18:])
        c.add("hdr/version=%02x/resp" % ver, m[:17] + bytes([ver, m[18], 0x20]) + m[20:])
    for ex in [0, 1, 33, 35, 36, 37, 38, 43, 255]:
        c.add("hdr/exchange=%d" % ex, m[:18] + bytes([ex]) + m[19:])
    for fl in [0x00, 0x08, 0x10, 0x20, 0x28, 0x38, 0xff, 0x07]:
        c.add("hdr/flags=%02x" % fl, m[:19] + bytes([fl]) + m[20:])
    for mid in [1, 2, 0x7FFFFFFF, 0xFFFFFFFF]:
        c.add("hdr/msg_id=%d" % mid, m[:20] + struct.pack(">I", mid) + m[24:])
    c.add("hdr/spi_i_zero", b"\0" * 8 + m[8:])
    c.add("hdr/spi_r_set", m[:8] + os.urandom(8) + m[16:])
    c.add("hdr/both_zero", b"\0" * 16 + m[16:])
    c.add("hdr/first_payload_none", m[:16] + b"\0" + m[17:])
    c.add("hdr/first_payload_255", m[:16] + b"\xff" + m[17:])
    c.add("hdr/only", header(os.urandom(8), b"\0" * 8, 0, SA_INIT, 0x08, 0, 0))
    c.add("hdr/only_v3", header(os.urandom(8), b"\0" * 8, 0, SA_INIT, 0x08, 0, 0, version=0x30))
    c.add("hdr/empty", b"")
    c.add("hdr/one_byte", b"\x00")
    c.add("hdr/oversized", valid_init()[:24] + struct.pack(">I", 28 + 65000) + os.urandom(65000 - 28 - 100))


def sk_message(exch, flags, msg_id, sk_len, inner_next=0, crit=False, sk_type=SK, num_total=None):
    body = os.urandom(sk_len)
    if num_total is not None:
        body = struct.pack(">HH", *num_total) + body
    raw = bytes([0, 0x80 if crit else 0]) + struct.pack(">H", (4 + len(body)) & 0xFFFF) + body
    first, b = sk_type, bytes([inner_next]) + raw[1:]
    return header(b"\0" * 8, b"\0" * 8, first, exch, flags, msg_id, len(b)) + b


def gen_sk(c):
    """SK/SKF of every size on every exchange, with the SPIs of a live SA (the
    replayer fills them in) and with unknown ones."""
    for exch in (IKE_AUTH, CREATE_CHILD, INFORMATIONAL):
        for n in [0, 1, 7, 8, 11, 12, 15, 16, 23, 24, 27, 28, 29, 31, 32, 33, 48, 64, 200, 1200]:
            for mid in (0, 1):
                c.add("sk/%d/len=%d/mid=%d" % (exch, n, mid), sk_message(exch, 0x08, mid, n, inner_next=IDI), flags="spi")
        for n in [0, 4, 8, 16, 64]:
            for nt in [(0, 0), (1, 1), (1, 2), (2, 2), (3, 2), (1, 0xFFFF)]:
                c.add("skf/%d/len=%d/%d_of_%d" % (exch, n, nt[0], nt[1]),
                      sk_message(exch, 0x08, 1, n, sk_type=SKF, num_total=nt), flags="spi")
        c.add("sk/%d/response" % exch, sk_message(exch, 0x20, 1, 64), flags="spi")
        c.add("sk/%d/as_responder" % exch, sk_message(exch, 0x00, 1, 64), flags="spi")
        c.add("sk/%d/critical" % exch, sk_message(exch, 0x08, 1, 64, crit=True), flags="spi")
        c.add("sk/%d/unknown_spi" % exch, sk_message(exch, 0x08, 1, 64)[:0] +
              os.urandom(16) + sk_message(exch, 0x08, 1, 64)[16:])
    # SK not last, two SKs, SK in IKE_SA_INIT
    first, b = chain([payload(SK, os.urandom(40)), payload(N, struct.pack(">BBH", 0, 0, 16384))])
    c.add("sk/not_last", header(b"\0" * 8, b"\0" * 8, first, INFORMATIONAL, 0x08, 1, len(b)) + b, flags="spi")
    first, b = chain([payload(SK, os.urandom(40)), payload(SK, os.urandom(40))])
    c.add("sk/twice", header(b"\0" * 8, b"\0" * 8, first, INFORMATIONAL, 0x08, 1, len(b)) + b, flags="spi")
    c.add("sk/in_ike_sa_init", sk_message(SA_INIT, 0x08, 0, 64))


def gen_natt(c):
    m = valid_init()
    c.add("natt/empty", b"", port=4500)
    c.add("natt/keepalive", b"\xff", port=4500)
    c.add("natt/keepalive_00", b"\x00", port=4500)
    for n in range(1, 4):
        c.add("natt/marker_short=%d" % n, b"\0" * n, port=4500)
    c.add("natt/marker_only", b"\0" * 4, port=4500)
    for cut in [5, 8, 20, 31, 32]:
        c.add("natt/marker+hdr_cut=%d" % cut, (b"\0" * 4 + m)[:cut], port=4500)
    c.add("natt/marker+ike_sa_init", b"\0" * 4 + m, port=4500)
    c.add("natt/no_marker_ike_sa_init", m, port=4500)
    c.add("natt/marker+v3", b"\0" * 4 + m[:17] + b"\x30" + m[18:], port=4500)
    # ESP: SPI (never 0) + sequence + IV + ciphertext + ICV, every short length
    for n in list(range(5, 40)) + [64, 100, 1400, 1500]:
        c.add("esp/len=%d" % n, b"\0\0\x10\x01" + os.urandom(n - 4), port=4500)
    for spi in [1, 255, 256, 0xFFFFFFFF]:
        c.add("esp/spi=%d" % spi, struct.pack(">II", spi, 1) + os.urandom(60), port=4500)
    c.add("esp/seq0", struct.pack(">II", 0x1001, 0) + os.urandom(60), port=4500)
    c.add("ike/on_500_with_marker", b"\0" * 4 + m)


def mutate_captures(c, vec_dir, rng):
    msgs = []
    for name in sorted(os.listdir(vec_dir)):
        if not name.startswith("ike_msgs_") or not name.endswith(".txt"):
            continue
        with open(os.path.join(vec_dir, name)) as f:
            for line in f:
                p = line.split()
                if len(p) >= 6 and p[0] == "M":
                    msgs.append(bytes.fromhex(p[5]))
    for i, m in enumerate(msgs):
        c.add("cap/%d/as_is" % i, m, flags="spi" if m[18] != SA_INIT else "-")
        for k in range(12):
            b = bytearray(m)
            for _ in range(rng.randint(1, 4)):
                pos = rng.randrange(len(b))
                b[pos] ^= 1 << rng.randrange(8)
            c.add("cap/%d/flip%d" % (i, k), bytes(b), flags="spi" if m[18] != SA_INIT and k % 2 else "-")
        for cut in sorted(set([rng.randrange(len(m)) for _ in range(4)])):
            c.add("cap/%d/cut=%d" % (i, cut), m[:cut])
        other = msgs[rng.randrange(len(msgs))]
        at = rng.randrange(28, len(m))
        c.add("cap/%d/splice" % i, m[:at] + other[at:])
        c.add("cap/%d/marker" % i, b"\0" * 4 + m, port=4500)


def generate(path):
    random.seed(11)
    rng = random.Random(11)
    # os.urandom is replaced so that the corpus is the same on every run
    global os
    real_urandom = os.urandom
    os.urandom = lambda n: bytes(rng.getrandbits(8) for _ in range(n))
    try:
        c = Corpus()
        gen_payload_lengths(c)
        gen_sa_substructures(c)
        gen_ke_nonce(c)
        gen_notify(c)
        gen_type_confusion(c)
        gen_header(c)
        gen_sk(c)
        gen_natt(c)
        vec = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors")
        mutate_captures(c, vec, rng)
    finally:
        os.urandom = real_urandom
    with open(path, "w") as f:
        f.write("# generated by tests/net/ike_corpus.py gen (seed 11): PORT TAG FLAGS HEX\n")
        f.write("\n".join(c.lines) + "\n")
    print("%d datagrams -> %s" % (len(c.lines), path))


def first_payload_type(resp):
    return resp[16] if len(resp) >= 28 else -1


def find_notify(resp, ntype):
    """Data of the first notify of ntype in a plain IKE message, or None."""
    t, off = resp[16], 28
    while t != 0 and off + 4 <= len(resp):
        nxt, plen = resp[off], struct.unpack(">H", resp[off + 2:off + 4])[0]
        if plen < 4:
            return None
        if t == N and plen >= 8 and struct.unpack(">H", resp[off + 6:off + 8])[0] == ntype:
            spi_len = resp[off + 5]
            return resp[off + 8 + spi_len:off + plen]
        t, off = nxt, off + plen
    return None


def exchange_init(sock, host, timeout=10.0):
    """A valid IKE_SA_INIT (with a cookie round trip when asked): the response
    with SA, or None."""
    spi, nonce = os.urandom(8), os.urandom(32)
    msg = valid_init(spi_i=spi, nonce=nonce)
    for _ in range(3):
        sock.sendto(msg, (host, 500))
        resp = recv_for(sock, spi, timeout)
        if resp is None:
            return None
        cookie = find_notify(resp, 16390)
        if cookie is not None:
            msg = valid_init(cookie=cookie, spi_i=spi, nonce=nonce)
            continue
        return resp if first_payload_type(resp) == SA else None
    return None


def recv_for(sock, spi, timeout):
    end = timeout
    while end > 0:
        r, _, _ = select.select([sock], [], [], min(end, 0.5))
        end -= 0.5
        if not r:
            continue
        data, _ = sock.recvfrom(65535)
        if data[:8] == spi:
            return data
    return None


def replay(path, host):
    s500 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s500.bind(("", 500))
    s4500 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s4500.bind(("", 4500))
    live = exchange_init(s500, host)
    if live is None:
        print("FAIL: no answer to a valid IKE_SA_INIT before the corpus")
        return 2
    spis = live[:16]
    sent = answers = 0
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            port, tag, flags, hexd = line.split()
            data = b"" if hexd == "-" else bytes.fromhex(hexd)
            if flags == "spi" and len(data) >= 16:
                data = spis + data[16:]
            (s500 if port == "500" else s4500).sendto(data, (host, int(port)))
            sent += 1
            if sent % 64 == 0:
                # drain what came back (stateless answers) and breathe
                for s in (s500, s4500):
                    while select.select([s], [], [], 0)[0]:
                        s.recvfrom(65535)
                        answers += 1
                select.select([], [], [], 0.005)
    print("corpus: %d datagrams sent, %d answers read" % (sent, answers))
    after = exchange_init(s500, host, timeout=20.0)
    if after is None:
        print("FAIL: a valid IKE_SA_INIT is no longer answered")
        return 1
    print("ok: a valid IKE_SA_INIT is still answered")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "gen":
        generate(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "replay":
        sys.exit(replay(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
