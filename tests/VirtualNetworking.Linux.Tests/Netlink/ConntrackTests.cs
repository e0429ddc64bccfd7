using System.Diagnostics;
using System.Net;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Linux.Host;
using VirtualNetworking.Linux.Netlink;
using Tool = VirtualNetworking.Linux.Tests.Nftables.TestNamespace;

namespace VirtualNetworking.Linux.Tests.Netlink;

/// <summary>
/// The real kernel's conntrack table: the test namespace is the host, with an nft table whose `ct state` rule makes
/// it track connections (and puts one port's in zone 7), and a client namespace on a veth sends UDP datagrams to it
/// from a fixed source port. <see cref="NetlinkConntrack"/> runs in the test namespace and sees the host's entries.
/// </summary>
public sealed class ConntrackTests : NetworkTest
{
    private const byte Udp = 17;
    private const byte Tcp = 6;
    private const int SourcePort = 40000;
    private const int Forgotten = 5001;
    private const int Kept = 5002;
    private const int Zoned = 5003;

    private static readonly IPAddress HostV4 = IPAddress.Parse("10.77.53.1");
    private static readonly IPAddress ClientV4 = IPAddress.Parse("10.77.53.2");
    private static readonly IPAddress HostV6 = IPAddress.Parse("fd77:53::1");
    private static readonly IPAddress ClientV6 = IPAddress.Parse("fd77:53::2");

    private readonly NetlinkConntrack conntrack = new();

    [SkippableFact]
    public void Delete_ForgetsTheSelectedIpv4EntryAndKeepsTheOther()
    {
        WithClient(client =>
        {
            Send(client, HostV4, Forgotten);
            Send(client, HostV4, Kept);
            WaitForEntries(false, Forgotten, Kept);

            var deleted = conntrack.Delete(Udp, false, e => FromClient(e, false) && e.Original.DestinationPort == Forgotten);

            Assert.Equal(1, deleted);
            Assert.Equal([Kept], Ports(false));
            CrossCheck(false, Forgotten, present: false);
            CrossCheck(false, Kept, present: true);
        });
    }

    [SkippableFact]
    public void Delete_ForgetsTheSelectedIpv6EntryAndKeepsTheOther()
    {
        WithClient(client =>
        {
            Send(client, HostV6, Forgotten);
            Send(client, HostV6, Kept);
            WaitForEntries(true, Forgotten, Kept);

            var deleted = conntrack.Delete(Udp, true, e => FromClient(e, true) && e.Original.DestinationPort == Forgotten);

            Assert.Equal(1, deleted);
            Assert.Equal([Kept], Ports(true));
            CrossCheck(true, Forgotten, present: false);
            CrossCheck(true, Kept, present: true);
        });
    }

    [SkippableFact]
    public void Delete_WhenNothingIsSelected_ReturnsZeroAndKeepsEverything()
    {
        WithClient(client =>
        {
            Send(client, HostV4, Forgotten);
            Send(client, HostV4, Kept);
            WaitForEntries(false, Forgotten, Kept);

            Assert.Equal(0, conntrack.Delete(Udp, false, e => FromClient(e, false) && e.Original.DestinationPort == 9));
            // The client's entries are UDP: a TCP delete does not offer them to the predicate.
            Assert.Equal(0, conntrack.Delete(Tcp, false, e => FromClient(e, false)));
            // Nor does the other family's table.
            Assert.Equal(0, conntrack.Delete(Udp, true, e => FromClient(e, true)));
            Assert.Equal([Forgotten, Kept], Ports(false));
        });
    }

    [SkippableFact]
    public void Delete_ForgetsAnEntryInAZone()
    {
        WithClient(client =>
        {
            Send(client, HostV4, Zoned);
            WaitForEntries(false, Zoned);
            CrossCheck(false, Zoned, present: true, "-w", "7");

            // Without its CTA_ZONE the delete would look in zone 0, find nothing and count nothing.
            var deleted = conntrack.Delete(Udp, false, e => FromClient(e, false) && e.Original.DestinationPort == Zoned);

            Assert.Equal(1, deleted);
            Assert.Empty(Ports(false));
            CrossCheck(false, Zoned, present: false, "-w", "7");
        });
    }

    [SkippableFact]
    public void List_ReadsBothTuples()
    {
        WithClient(client =>
        {
            Send(client, HostV4, Kept);
            WaitForEntries(false, Kept);

            var entry = Assert.Single(conntrack.List(Udp, false), e => FromClient(e, false));

            Assert.Equal(new ConntrackTuple(ClientV4, HostV4, SourcePort, Kept), entry.Original);
            Assert.Equal(new ConntrackTuple(HostV4, ClientV4, Kept, SourcePort), entry.Reply); // no NAT: the mirror image
        });
    }

    /// <summary>
    /// A client namespace joined to this one by a veth, with the tracking nft table here; all of it removed afterwards.
    /// </summary>
    private void WithClient(Action<string> test)
    {
        var suffix = Tool.UniqueName("");
        var client = "vnct-" + suffix;
        var table = "vnct" + suffix;
        var link = NewName("ct");
        IpCommand.Run("netns", "add", client);
        try
        {
            IpCommand.Run("link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", client);
            IpCommand.Run("addr", "add", $"{HostV4}/24", "dev", link);
            IpCommand.Run("addr", "add", $"{HostV6}/64", "dev", link, "nodad");
            IpCommand.Run("link", "set", link, "up");
            IpCommand.Run("-n", client, "addr", "add", $"{ClientV4}/24", "dev", "eth0");
            IpCommand.Run("-n", client, "addr", "add", $"{ClientV6}/64", "dev", "eth0", "nodad");
            IpCommand.Run("-n", client, "link", "set", "eth0", "up");
            // An inet table's `ct` expression makes the kernel track both families here; the raw-priority chain puts
            // one port's connections in zone 7 before conntrack sees them.
            Tool.Run("nft", "add", "table", "inet", table);
            Tool.Run("nft", "add", "chain", "inet", table, "zone", "{ type filter hook prerouting priority raw; }");
            Tool.Run("nft", "add", "rule", "inet", table, "zone", "udp", "dport", $"{Zoned}", "ct", "zone", "set", "7");
            Tool.Run("nft", "add", "chain", "inet", table, "input", "{ type filter hook input priority 0; }");
            Tool.Run("nft", "add", "rule", "inet", table, "input", "ct", "state", "new", "counter");
            test(client);
        }
        finally
        {
            // Quietly: a set-up that failed part-way left no table or link to delete.
            RunQuietly("nft", "delete", "table", "inet", table);
            RunQuietly("ip", "link", "del", link);
            IpCommand.Run("netns", "delete", client);
            // Entries a failed test left would outlive the client by 30 s; forget them so the next test starts clean.
            conntrack.Delete(Udp, false, e => FromClient(e, false));
            conntrack.Delete(Udp, true, e => FromClient(e, true));
        }
    }

    private static bool FromClient(ConntrackEntry entry, bool ipv6) => entry.Original.Source.Equals(ipv6 ? ClientV6 : ClientV4);

    /// <summary>The destination ports of the client's tracked UDP flows, ascending.</summary>
    private List<int> Ports(bool ipv6) =>
        [.. conntrack.List(Udp, ipv6).Where(e => FromClient(e, ipv6)).Select(e => e.Original.DestinationPort).Order()];

    /// <summary>Polls: a datagram is tracked when it arrives here, after the client's neighbour lookup.</summary>
    private void WaitForEntries(bool ipv6, params int[] ports) =>
        WaitUntil(() => ports.All(Ports(ipv6).Contains), $"conntrack entries for UDP ports {string.Join(", ", ports)}");

    /// <summary>Two datagrams from the client's fixed source port (socat); nothing listens here, which conntrack does not mind.</summary>
    private static void Send(string client, IPAddress host, int port)
    {
        var target = host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"UDP6-SENDTO:[{host}]:{port}" : $"UDP4-SENDTO:{host}:{port}";
        for (var datagram = 0; datagram < 2; datagram++)
        {
            var info = new ProcessStartInfo("ip", ["netns", "exec", client, "socat", "-u", "-", $"{target},sourceport={SourcePort},reuseaddr"])
                { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(info)!;
            process.StandardInput.Write("ping");
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"socat to {host}:{port} failed ({process.ExitCode}): {error}");
        }
    }

    /// <summary>
    /// conntrack-tools as an independent witness, where the package is installed (it is not required);
    /// <paramref name="filter"/> narrows the listing further (e.g. -w ZONE).
    /// </summary>
    private static void CrossCheck(bool ipv6, int port, bool present, params string[] filter)
    {
        if (!File.Exists("/usr/sbin/conntrack")) return;
        var listing = Tool.Run("conntrack", ["-L", "-f", ipv6 ? "ipv6" : "ipv4", "-p", "udp",
            "-s", $"{(ipv6 ? ClientV6 : ClientV4)}", "--dport", $"{port}", .. filter]);
        Assert.True(listing.Contains($"dport={port}", StringComparison.Ordinal) == present,
            $"conntrack -L for port {port} should {(present ? "" : "not ")}list it:\n{listing}");
    }

    private static void RunQuietly(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, UseShellExecute = false })!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
    }
}
