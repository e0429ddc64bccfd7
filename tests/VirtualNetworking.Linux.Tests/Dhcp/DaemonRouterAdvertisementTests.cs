using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using VirtualNetworking.Core.Xml;
using VirtualNetworking.Linux.Dhcp;
using VirtualNetworking.Linux.Interop;

namespace VirtualNetworking.Linux.Tests.Dhcp;

/// <summary>
/// vnetd's router advertisements against router solicitations written here, byte by byte, from a guest namespace: the
/// daemon's counters (status raSent, raSolicitations) tell what it received and what it sent.
/// </summary>
public sealed class DaemonRouterAdvertisementTests : NetworkTest
{
    /// <summary>Type 133, code 0, checksum (the kernel's), reserved: a solicitation without options.</summary>
    private static readonly byte[] Solicitation = [133, 0, 0, 0, 0, 0, 0, 0];

    [SkippableFact]
    public void A_solicitation_is_answered_only_when_it_arrives_with_hop_limit_255()
    {
        using var bed = new DaemonTestBed();
        var bridge = NewName("ra");
        bed.CreateBridge(bridge, "10.231.9.1/24");
        IpCommand.Run("addr", "add", "fd00:231:9::1/64", "dev", bridge, "nodad");
        // No duplicate address detection on the bridge: its link-local is usable as soon as the guest gives it carrier.
        File.WriteAllText($"/proc/sys/net/ipv6/conf/{bridge}/accept_dad", "0");
        // The guest's kernel solicits nothing of its own: every solicitation the daemon sees is one of this test's.
        var guest = bed.AddGuest(bridge, "52:54:00:10:09:01", "net.ipv6.conf.eth0.router_solicitations=0");
        bed.Service.Serve(NetworkXml.Parse($"""
            <network><name>dra</name><forward mode='nat'/><bridge name='{bridge}'/>
              <ip address='10.231.9.1' netmask='255.255.255.0'/><ip family='ipv6' address='fd00:231:9::1' prefix='64'/></network>
            """));

        // The initial RA; the next unsolicited one is 16 s later (RFC 4861 §10's MAX_INITIAL_RTR_ADVERT_INTERVAL).
        WaitUntil(() => Counters(bed).Sent >= 1, "the initial router advertisement");
        WaitUntil(() => GuestLinkLocalReady(guest), "the guest's link-local address");
        var before = Counters(bed);

        // Hop limit 64: it may have crossed a router, so RFC 4861 §6.1.1 makes it invalid. Counted, never answered
        // (an answer would come within 0.5 s, or 3.5 s after the last RA).
        SendSolicitation(guest, hopLimit: 64);
        WaitUntil(() => Counters(bed).Solicitations == before.Solicitations + 1, "the daemon to receive the solicitation");
        Thread.Sleep(TimeSpan.FromSeconds(4));
        Assert.Equal(before.Sent, Counters(bed).Sent);

        SendSolicitation(guest, hopLimit: 255);
        WaitUntil(() => Counters(bed).Sent == before.Sent + 1, "the answer to the solicitation with hop limit 255");
        Assert.Equal(before.Solicitations + 2, Counters(bed).Solicitations);
    }

    private static RouterAdvertisementStatistics Counters(DaemonTestBed bed) =>
        bed.Service.GetStatus().Single(s => s.Name == "dra").RouterAdvertisements
        ?? throw new Xunit.Sdk.XunitException("vnetd sends no router advertisements for the network.\n" + bed.Log());

    private static bool GuestLinkLocalReady(GuestNamespace guest)
    {
        using var json = JsonDocument.Parse(IpCommand.Run("-n", guest.Name, "-j", "-6", "addr", "show", "dev", "eth0", "scope", "link"));
        return json.RootElement.EnumerateArray().SelectMany(l => l.GetProperty("addr_info").EnumerateArray())
            .Any(a => a.TryGetProperty("local", out _) && !a.TryGetProperty("tentative", out _));
    }

    /// <summary>
    /// A raw ICMPv6 socket made inside the guest's namespace (a thread of its own enters it; the socket stays in it)
    /// sends one solicitation to all-routers with the given hop limit.
    /// </summary>
    private static void SendSolicitation(GuestNamespace guest, int hopLimit)
    {
        using var link = JsonDocument.Parse(IpCommand.Run("-n", guest.Name, "-j", "link", "show", "dev", "eth0"));
        var index = link.RootElement[0].GetProperty("ifindex").GetInt32();
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using (var ns = File.OpenHandle($"/run/netns/{guest.Name}"))
                    if (LibC.SetNamespace((int)ns.DangerousGetHandle(), LibC.CLONE_NEWNET) != 0)
                        throw new IOException($"setns into {guest.Name} failed");
                using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6);
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, hopLimit);
                var allRouters = IPAddress.Parse("ff02::2");
                allRouters.ScopeId = index;
                socket.SendTo(Solicitation, new IPEndPoint(allRouters, 0));
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure;
    }
}
