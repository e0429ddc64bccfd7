#!/bin/bash
# How NftMonitorCaptures.cs was made (run as root): the nftables monitor's datagrams (NETLINK_NETFILTER, group
# NFNLGRP_NFTABLES) for each change below, printed as C#. Runs in a private network namespace (unshare -n), gone on exit.
set -eu
exec unshare -n python3 - <<'PY'
import socket, subprocess, time
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
s.bind((0, 0))
s.setsockopt(270, 1, 7)  # SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, NFNLGRP_NFTABLES
s.setblocking(False)
def nft(script):
    subprocess.run(["nft", "-f", "-"], input=script.encode(), check=True)
def capture(name, script):
    nft(script)
    time.sleep(0.2)
    datagrams = []
    while True:
        try: datagrams.append(s.recv(65536).hex())
        except BlockingIOError: break
    print(f"    public static readonly byte[][] {name} =\n    [")
    for d in datagrams:
        print("        Convert.FromHexString(\n            " + " +\n            ".join(f'"{d[i:i+96]}"' for i in range(0, len(d), 96)) + "),")
    print("    ];\n")
tables = "".join(f"""add table {f} virtualnetworking
add chain {f} virtualnetworking forward {{ type filter hook forward priority 0; policy accept; }}
add chain {f} virtualnetworking guest_nat {{ type nat hook postrouting priority 100; policy accept; }}
""" for f in ("ip", "ip6"))
# A start: our tables (added again: no-ops), its tagged rule, the forward jumps flushed and added again.
start = lambda tag: tables + f"""insert rule ip virtualnetworking guest_nat ip saddr 10.9.0.0/24 masquerade comment "{tag}"
flush chain ip virtualnetworking forward
add rule ip virtualnetworking forward accept
"""
capture("FirstStart", start("vnet:name-a"))
capture("SecondStart", start("vnet:name-b"))
handle = subprocess.run("nft -a list chain ip virtualnetworking guest_nat | grep 'vnet:name-b' | sed 's/.*handle //'",
                        shell=True, capture_output=True, check=True).stdout.decode().strip()
capture("StopByHandle", f"delete rule ip virtualnetworking guest_nat handle {handle}\n")
capture("ForeignTable", "add table ip other\nadd chain ip other c\n")
capture("FlushForwardChain", "flush chain ip virtualnetworking forward\n")
capture("DeleteIp6Table", "delete table ip6 virtualnetworking\n")
capture("FlushRuleset", "flush ruleset\n")
PY
