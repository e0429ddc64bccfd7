namespace VirtualNetworking.Core.Tests.Dhcp;

/// <summary>
/// Real client packets, captured with tcpdump on a veth pair between two private network namespaces
/// (client MAC 52:54:00:12:34:56; no DHCP server answered, so the clients repeat their first message).
/// udhcpc: BusyBox 1.35.0 `udhcpc -x hostname:vm1 -r 192.168.122.50`.
/// dhclient: ISC dhclient 4.4 (Debian 12) with `send host-name "vm2"; send dhcp-client-identifier 1:52:54:00:12:34:56;`
/// and a stock-like `request` list; the INIT-REBOOT REQUEST comes from a lease file holding 192.168.122.77.
/// dhclient does not send option 57 unless configured to; udhcpc does (576).
/// </summary>
internal static class DhcpCapturedPackets
{
    public static readonly byte[] UdhcpcDiscover = Convert.FromHexString(
        "0101060065ac882b00000000000000000000000000000000000000005254001234560000000000000000000000000000" +
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363" +
        "3501013204c0a87a323902024037070103060c0f1c2a0c03766d313c0c756468637020312e33352e303d070152540012" +
        "3456ff000000000000000000");

    public static readonly byte[] DhclientInitRebootRequest = Convert.FromHexString(
        "01010600c27c992b00000000000000000000000000000000000000005254001234560000000000000000000000000000" +
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363" +
        "3501033204c0a87a4d0c03766d32370a011c02030f06770c1a2a3d0701525400123456ff000000000000000000000000" +
        "000000000000000000000000");

    public static readonly byte[] DhclientDiscover = Convert.FromHexString(
        "010106000d05b94600000000000000000000000000000000000000005254001234560000000000000000000000000000" +
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363" +
        "3501010c03766d32370a011c02030f06770c1a2a3d0701525400123456ff000000000000000000000000000000000000" +
        "000000000000000000000000");

    /// <summary>
    /// A DISCOVER written by hand field by field from RFC 2131 §2 / RFC 2132, as a minimal client sends it.
    /// </summary>
    public static readonly byte[] Rfc2131Discover = Convert.FromHexString(
        "01" + "01" + "06" + "00" +                 // op BOOTREQUEST, htype Ethernet, hlen 6, hops 0
        "3903f326" +                                // xid
        "0000" + "8000" +                           // secs, flags: broadcast
        "00000000" + "00000000" +                   // ciaddr, yiaddr
        "00000000" + "00000000" +                   // siaddr, giaddr
        "001122334455" + new string('0', 20) +      // chaddr (16 bytes)
        new string('0', 128) +                      // sname (64 bytes)
        new string('0', 256) +                      // file (128 bytes)
        "63825363" +                                // magic cookie
        "350101" +                                  // 53 DHCPDISCOVER
        "3204c0a87a64" +                            // 50 requested 192.168.122.100
        "370401030f06" +                            // 55 mask, router, domain, DNS
        "ff" +                                      // end
        new string('0', 2 * 44));                   // BOOTP padding to 300 bytes

    /// <summary>The REQUEST (SELECTING) that follows <see cref="Rfc2131Discover"/>'s OFFER of .100.</summary>
    public static readonly byte[] Rfc2131Request = Convert.FromHexString(
        "0101060039" + "03f326" + "0000" + "8000" +
        new string('0', 32) +
        "001122334455" + new string('0', 20) + new string('0', 384) +
        "63825363" +
        "350103" +                                  // 53 DHCPREQUEST
        "3204c0a87a64" +                            // 50 requested 192.168.122.100
        "3604c0a87a01" +                            // 54 server 192.168.122.1
        "ff");
}
