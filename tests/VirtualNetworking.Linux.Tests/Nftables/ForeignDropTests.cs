using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Linux.Nftables;

namespace VirtualNetworking.Linux.Tests.Nftables;

/// <summary>
/// nftables semantics check (docs/firewall.md): our DNS accept on the bridge does not override another table's
/// input chain with policy drop. A guest is simulated by a veth end in a second, process-owned namespace
/// (unshare; it disappears with its process, so nothing is left behind).
/// </summary>
[Trait("Category", "Privileged")]
[Collection(NftablesCollection.Name)]
public sealed class ForeignDropTests : IDisposable
{
    private const string HostAddress = "10.77.9.1";
    private readonly string bridge = TestNamespace.UniqueName("vnfbr");
    private readonly string hostVeth = TestNamespace.UniqueName("vnfh");
    private readonly string guestVeth = TestNamespace.UniqueName("vnfg");
    private readonly Process guest;

    public ForeignDropTests()
    {
        TestNamespace.AssertIsolated();
        TestNamespace.Run("ip", "link", "add", bridge, "type", "bridge");
        TestNamespace.Run("ip", "addr", "add", HostAddress + "/24", "dev", bridge);
        TestNamespace.Run("ip", "link", "add", hostVeth, "type", "veth", "peer", "name", guestVeth);
        TestNamespace.Run("ip", "link", "set", hostVeth, "master", bridge, "up");
        TestNamespace.Run("ip", "link", "set", bridge, "up");

        guest = Process.Start(new ProcessStartInfo("unshare", ["--net", "sleep", "120"]) { UseShellExecute = false })!;
        var pid = guest.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        WaitUntilOwnNamespace(pid);
        TestNamespace.Run("ip", "link", "set", guestVeth, "netns", pid);
        TestNamespace.Run("nsenter", "-t", pid, "-n", "ip", "addr", "add", "10.77.9.2/24", "dev", guestVeth);
        TestNamespace.Run("nsenter", "-t", pid, "-n", "ip", "link", "set", guestVeth, "up");
    }

    public void Dispose()
    {
        guest.Kill();
        guest.WaitForExit();
        guest.Dispose();
        TestNamespace.Run("nft", "flush", "ruleset");
        TestNamespace.Run("ip", "link", "del", bridge); // the veth pair went with the guest's namespace
    }

    [Theory]
    [InlineData(0)]   // the same priority as our input chain: order between the two is not defined
    [InlineData(10)]  // after ours: our accept is seen first, and still does not decide
    public void Our_accept_does_not_override_a_foreign_drop(int foreignPriority)
    {
        var network = NftablesFirewallTests.Network("guarded", NetworkMode.Isolated, null, HostAddress + "/24") with { BridgeName = bridge };
        new NftablesFirewall().Apply(network);
        using var dns = new UdpClient(new IPEndPoint(IPAddress.Parse(HostAddress), 53));

        Assert.True(GuestSendsDnsProbe(dns), "without a foreign table the probe must arrive");
        var acceptedBefore = OurUdp53Packets();

        TestNamespace.Run("nft", "add", "table", "inet", "foreign");
        TestNamespace.Run("nft", "add", "chain", "inet", "foreign", "input",
            $"{{ type filter hook input priority {foreignPriority}; policy drop; }}");

        Assert.False(GuestSendsDnsProbe(dns), "the foreign drop policy must win over our accept");
        if (foreignPriority > 0) Assert.True(OurUdp53Packets() > acceptedBefore, "our accept rule saw (and accepted) the dropped probe");
    }

    private bool GuestSendsDnsProbe(UdpClient dns)
    {
        TestNamespace.Run("nsenter", "-t", guest.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n",
            "bash", "-c", $"echo probe > /dev/udp/{HostAddress}/53");
        var receive = dns.ReceiveAsync();
        return receive.Wait(TimeSpan.FromSeconds(2));
    }

    private static long OurUdp53Packets()
    {
        var chain = JsonNode.Parse(TestNamespace.Run("nft", "-j", "list", "chain", "ip", FirewallLayout.TableName, FirewallLayout.Input))!;
        return chain["nftables"]!.AsArray().Select(i => i?["rule"]).OfType<JsonObject>()
            .Where(r => r["expr"]!.ToJsonString().Contains("""{"protocol":"udp","field":"dport"}},"right":53""", StringComparison.Ordinal))
            .Sum(r => r["expr"]!.AsArray().Select(e => (long?)e?["counter"]?["packets"]).Sum() ?? 0);
    }

    /// <summary>unshare has switched namespace once its net ns link differs from ours.</summary>
    private static void WaitUntilOwnNamespace(string pid)
    {
        var own = new FileInfo("/proc/self/ns/net").LinkTarget;
        for (var i = 0; i < 100 && new FileInfo($"/proc/{pid}/ns/net").LinkTarget == own; i++) Thread.Sleep(20);
    }
}
