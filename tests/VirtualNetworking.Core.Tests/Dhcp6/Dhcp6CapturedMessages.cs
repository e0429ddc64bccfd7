namespace VirtualNetworking.Core.Tests.Dhcp6;

/// <summary>
/// A real exchange, captured by capture-fixtures.sh with tcpdump on a veth pair between two private network namespaces:
/// ISC dhclient 4.4.3-P1 `dhclient -6` (MAC 52:54:00:12:34:56, DUID-LLT, IAID from the MAC) against dnsmasq 2.90
/// (`--dhcp-range=fd00:5::100,fd00:5::1ff,64,1h` and a DNS server option; DUID-LLT of 52:54:00:ab:cd:ef). dnsmasq sends
/// preference 0, T2 at 0.875 of the lifetime and a top-level "success" status; the client repeats its addresses' lifetimes.
/// </summary>
internal static class Dhcp6CapturedMessages
{
    public static readonly byte[] DhclientSolicit = Convert.FromHexString(
        "01667e540001000e0001000132a44c7052540012345600060008001700180027001f0008000200000003000c0012345600000e1000001518");

    public static readonly byte[] DnsmasqAdvertise = Convert.FromHexString(
        "02667e540001000e0001000132a44c705254001234560002000e0001000132a44c6f525400abcdef00030028001234560000070800000c4e" +
        "00050018fd0000050000000000000000000001a400000e1000000e10000d0009000073756363657373000700010000170010fd0000050000" +
        "00000000000000000001");

    public static readonly byte[] DhclientRequest = Convert.FromHexString(
        "03dcb4570001000e0001000132a44c705254001234560002000e0001000132a44c6f525400abcdef00060008001700180027001f00080002" +
        "0000000300280012345600000e100000151800050018fd0000050000000000000000000001a400001c2000001d4c");

    public static readonly byte[] DnsmasqReply = Convert.FromHexString(
        "07dcb4570001000e0001000132a44c705254001234560002000e0001000132a44c6f525400abcdef00030028001234560000070800000c4e" +
        "00050018fd0000050000000000000000000001a400000e1000000e10000d000900007375636365737300170010fd00000500000000000000" +
        "0000000001");

    public static readonly byte[] DhclientRelease = Convert.FromHexString(
        "084f2b5a0001000e0001000132a44c705254001234560002000e0001000132a44c6f525400abcdef00060008001700180027001f00080002" +
        "00000003002800123456000000000000000000050018fd0000050000000000000000000001a40000000000000000");

    public static readonly byte[] DnsmasqReleaseReply = Convert.FromHexString(
        "074f2b5a0001000e0001000132a44c705254001234560002000e0001000132a44c6f525400abcdef000d0012000072656c65617365207265" +
        "636569766564");

    public static byte[][] All => [DhclientSolicit, DnsmasqAdvertise, DhclientRequest, DnsmasqReply, DhclientRelease, DnsmasqReleaseReply];
}
