using System.Diagnostics;
using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Linux.Nftables;

namespace VirtualNetworking.Linux.Tests.Nftables;

/// <summary>
/// A TCP forward carries connections, with the network's own plan applied by nft: the test namespace is the host,
/// with a bridge and two guests (namespaces on veths) and an upstream namespace on another link. The guest's
/// listener answers with the client address it saw.
/// </summary>
[Trait("Category", "Privileged")]
[Collection(NftablesCollection.Name)]
public sealed class PortForwardPathTests : IDisposable
{
    private readonly string suffix = TestNamespace.UniqueName("");
    private readonly List<string> namespaces = [];
    private readonly List<string> links = [];
    private Process? listener;

    public PortForwardPathTests() => TestNamespace.AssertIsolated();

    public void Dispose()
    {
        if (listener is { HasExited: false }) listener.Kill();
        listener?.Dispose();
        TestNamespace.Run("nft", "flush", "ruleset");
        // Links first: deleting a namespace takes the veth ends in it, and their peers here, with it.
        foreach (var link in links) TestNamespace.Run("ip", "link", "del", link);
        foreach (var name in namespaces) TestNamespace.Run("ip", "netns", "del", name);
    }

    [Fact]
    public void Upstream_host_and_another_guest_reach_the_guest_through_the_forward_and_a_source_prefix_keeps_upstream_out()
    {
        var bridge = "pfbr" + suffix;
        TestNamespace.Run("ip", "link", "add", bridge, "type", "bridge");
        links.Add(bridge);
        TestNamespace.Run("ip", "addr", "add", "10.77.42.1/24", "dev", bridge);
        TestNamespace.Run("ip", "link", "set", bridge, "up");
        var guest = Guest("pfg" + suffix, bridge, "10.77.42.10");
        var other = Guest("pfo" + suffix, bridge, "10.77.42.11");
        var upstream = "pfu" + suffix;
        Namespace(upstream);
        TestNamespace.Run("ip", "link", "add", "pfup" + suffix, "type", "veth", "peer", "name", "eth0", "netns", upstream);
        links.Add("pfup" + suffix);
        TestNamespace.Run("ip", "addr", "add", "203.0.113.1/24", "dev", "pfup" + suffix);
        TestNamespace.Run("ip", "link", "set", "pfup" + suffix, "up");
        In(upstream, "ip", "addr", "add", "203.0.113.2/24", "dev", "eth0");
        In(upstream, "ip", "link", "set", "eth0", "up");
        // So that a connection straight to the guest reaches the host: it must still be refused (NAT mode).
        In(upstream, "ip", "route", "add", "10.77.42.0/24", "via", "203.0.113.1");
        TestNamespace.Run("sysctl", "-qw", "net.ipv4.ip_forward=1");

        var network = NftablesFirewallTests.Network("path", NetworkMode.Nat, null, "10.77.42.1/24") with
        {
            BridgeName = bridge,
            PortForwards =
            [
                new("tcp", null, 8080, 8080, IPAddress.Parse("10.77.42.10"), 80, 80, []),
                new("tcp", null, 8081, 8081, IPAddress.Parse("10.77.42.10"), 80, 80, [IpNetwork.Parse("198.51.100.0/24")]),
            ],
        };
        new NftablesFirewall().Apply(network);
        listener = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", guest, "socat", "TCP-LISTEN:80,fork,reuseaddr", "SYSTEM:echo $SOCAT_PEERADDR"])
            { UseShellExecute = false })!;
        Assert.True(SpinWait.SpinUntil(() => Connect(guest, "127.0.0.1", 80) is not null, TimeSpan.FromSeconds(5)), "the guest's listener did not start");

        Assert.Equal("203.0.113.2", Connect(upstream, "203.0.113.1", 8080)); // the guest sees the real client
        Assert.Equal("203.0.113.1", Connect(null, "203.0.113.1", 8080)); // the host itself, to its own address
        Assert.Equal("10.77.42.1", Connect(other, "203.0.113.1", 8080)); // hairpin: masqueraded to the bridge address
        Assert.Equal("10.77.42.1", Connect(other, "10.77.42.1", 8080));
        Assert.Null(Connect(upstream, "203.0.113.1", 8081)); // not in the source prefix
        Assert.Null(Connect(upstream, "10.77.42.10", 80)); // only the forwarded flow passes libvirt's reject
    }

    private string Guest(string name, string bridge, string address)
    {
        Namespace(name);
        var veth = "v" + name;
        TestNamespace.Run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", name);
        links.Add(veth);
        TestNamespace.Run("ip", "link", "set", veth, "master", bridge, "up");
        In(name, "ip", "addr", "add", address + "/24", "dev", "eth0");
        In(name, "ip", "link", "set", "eth0", "up");
        In(name, "ip", "route", "add", "default", "via", "10.77.42.1");
        return name;
    }

    private void Namespace(string name)
    {
        TestNamespace.Run("ip", "netns", "add", name);
        namespaces.Add(name);
        In(name, "ip", "link", "set", "lo", "up");
    }

    private static void In(string name, params string[] command) => TestNamespace.Run("ip", ["netns", "exec", name, .. command]);

    /// <summary>The line the listener answered, or null when the connection failed (refused, or no answer within 2 s).</summary>
    private static string? Connect(string? from, string address, int port)
    {
        string[] socat = ["timeout", "3", "socat", "-T2", "-", $"TCP:{address}:{port},connect-timeout=2"];
        var info = new ProcessStartInfo(from is null ? socat[0] : "ip", from is null ? socat[1..] : ["netns", "exec", from, .. socat])
            { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 && output.Length > 0 ? output : null;
    }
}
