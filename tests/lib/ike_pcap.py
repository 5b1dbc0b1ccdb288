#!/usr/bin/env python3
"""ike_pcap.py PCAP [SRC]: what crossed an IKE path, from a capture of IPv4
on Ethernet or Linux cooked links (tcpdump -w). Prints three numbers:
  skf      IKE messages (UDP 500, or 4500 with the non-ESP marker) whose
           first payload is Encrypted Fragment (SKF, 53: RFC 7383)
  biggest  the largest IKE UDP datagram, by its UDP length field
  ipfrags  IP fragments of any protocol (MF set or a fragment offset)
counting only packets from SRC when given. A truncated snap length is fine
(the IKE header's first 17 bytes are enough)."""
import struct
import sys


def packets(path):
    d = open(path, "rb").read()
    if len(d) < 24:
        return
    magic = d[:4]
    end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    link = struct.unpack(end + "I", d[20:24])[0]
    off = 24
    while off + 16 <= len(d):
        incl = struct.unpack(end + "I", d[off + 8:off + 12])[0]
        p = d[off + 16:off + 16 + incl]
        off += 16 + incl
        yield p[14:] if link == 1 else p[16:]   # Ethernet or Linux cooked


def main():
    src = sys.argv[2] if len(sys.argv) > 2 else None
    skf = big = frags = 0
    for p in packets(sys.argv[1]):
        if len(p) < 20 or p[0] >> 4 != 4:
            continue
        if src and ".".join(str(b) for b in p[12:16]) != src:
            continue
        if struct.unpack(">H", p[6:8])[0] & 0x3FFF:
            frags += 1
            continue
        if p[9] != 17:
            continue
        udp = p[(p[0] & 15) * 4:]
        if len(udp) < 8:
            continue
        port = struct.unpack(">H", udp[2:4])[0]
        ike = udp[8:]
        if port == 4500:
            if ike[:4] != b"\0\0\0\0":
                continue                         # ESP in UDP
            ike = ike[4:]
        elif port != 500:
            continue
        big = max(big, struct.unpack(">H", udp[4:6])[0])
        if len(ike) > 16 and ike[16] == 53:
            skf += 1
    print(skf, big, frags)


if __name__ == "__main__":
    main()
