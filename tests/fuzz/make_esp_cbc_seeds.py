#!/usr/bin/env python3
"""Seeds for fuzz_esp_decrypt's AES-CBC SAs, made with an independent
implementation (Python cryptography): the capture's pings under SPI 0xcbc0
(aes256-sha256) and SPI 0xcbc1 (aes128-sha512, ESN, seq 0x1_fffff001), plus
one with wrong padding. Keys as in the fuzz target. Run from the repo root."""
import hashlib, hmac, os, struct
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

D = "tests/fuzz/corpus/esp_decrypt"
KEY = bytes.fromhex("ce70dc869810d3565d24a1717d887fa2543dbfcb1d79213a41cad81d46021d9b")
MAC = bytes((i * 5 + 1) & 0xff for i in range(64))
SUITES = {0xcbc0: (KEY, hashlib.sha256, 32, 16), 0xcbc1: (KEY[:16], hashlib.sha512, 64, 32)}


def seal(spi, seq, inner, iv, esn, bad_pad=False):
    key, md, klen, icv = SUITES[spi]
    pad = (16 - (len(inner) + 2) % 16) % 16
    padding = bytearray(range(1, pad + 1))
    if bad_pad and pad:
        padding[-1] ^= 0x40
    pt = inner + bytes(padding) + bytes([pad, 4])
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ct = enc.update(pt) + enc.finalize()
    head = struct.pack(">II", spi, seq & 0xffffffff) + iv
    tag = hmac.new(MAC[:klen], head + ct + (struct.pack(">I", seq >> 32) if esn else b""), md)
    return head + ct + tag.digest()[:icv]


for frame in (5, 12):
    inner = open(f"{D}/inner-frame{frame}", "rb").read()
    iv = hashlib.sha256(b"iv%d" % frame).digest()[:16]
    open(f"{D}/cbc-aes256-sha256-frame{frame}", "wb").write(seal(0xcbc0, 1, inner, iv, False))
    open(f"{D}/cbc-aes128-sha512-esn-frame{frame}", "wb").write(
        seal(0xcbc1, 0x1fffff001, inner, iv, True))
inner = open(f"{D}/inner-frame12", "rb").read()
open(f"{D}/cbc-bad-padding", "wb").write(seal(0xcbc0, 2, inner[:61], bytes(16), False, True))
