using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Tests.Fakes;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Live;

/// <summary>Remove-VNetwork -Force's first half: stop the network only when it runs.</summary>
public sealed class StopIfActiveTests
{
    private const string Nat = """
        <network><name>lab</name><forward mode='nat'/><bridge name='labbr0'/><mac address='52:54:00:0a:0b:0c'/>
        <ip address='10.0.5.1' prefix='24'><dhcp><range start='10.0.5.2' end='10.0.5.254'/></dhcp></ip></network>
        """;

    private readonly TestHost test = new();

    public StopIfActiveTests()
    {
        test.Host.AddLink("lo", null, null, 65536);
        test.Host.AddLink("eth0", "veth");
        test.Host.AddAddress("eth0", IpNetwork.Parse("203.0.113.2/24"));
        test.Definitions.Save(NetworkXml.Parse(Nat));
    }

    private NetworkRuntime Runtime() => new(test.Ports());

    [Fact]
    public void An_active_network_is_stopped()
    {
        test.Host.Sysctls["net/ipv4/ip_forward"] = "1"; // a start switches it on and, as in libvirt, a stop leaves it
        var before = test.Host.Snapshot();
        Runtime().Start("lab");
        Assert.NotNull(test.Host.GetLink("labbr0"));

        Runtime().StopIfActive("lab");

        Assert.Equal(before, test.Host.Snapshot());
        Assert.Empty(test.Live.State);
        Assert.Empty(test.Dhcp.Served);
        Assert.True(test.Definitions.Files.ContainsKey("lab")); // stopping is not removing
    }

    [Fact]
    public void An_inactive_network_is_left_alone_and_needs_no_rights()
    {
        test.Host.MayChange = false; // Stop would refuse with VNetworkPermissionDenied
        var before = test.Host.Snapshot();

        Runtime().StopIfActive("lab");

        Assert.Equal(before, test.Host.Snapshot());
    }

    [Fact]
    public void An_unknown_network_is_left_to_the_removal_to_report()
    {
        test.Host.MayChange = false;
        Runtime().StopIfActive("nosuch"); // no exception: Remove then says VNetworkNotFound
    }

    [Fact]
    public void An_active_network_still_needs_the_rights_to_be_stopped()
    {
        Runtime().Start("lab");
        test.Host.MayChange = false;

        var e = Assert.Throws<NetworkProblemException>(() => Runtime().StopIfActive("lab"));

        Assert.Equal("VNetworkPermissionDenied", e.First.ErrorId);
        Assert.True(test.Live.Load("lab")!.Active);
    }
}
