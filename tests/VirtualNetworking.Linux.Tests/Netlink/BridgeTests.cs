using VirtualNetworking.Linux.Netlink;

namespace VirtualNetworking.Linux.Tests.Netlink;

public sealed class BridgeTests : NetworkTest
{
    [SkippableFact]
    public void CreateBridge_WithMacMtuStpAndZeroDelay_ReadsBackTheSameAsIp()
    {
        var name = NewName("br");
        Client.CreateBridge(name, "52:54:00:B8:C9:9D", mtu: 1400, stpEnabled: true, forwardDelay: TimeSpan.Zero);

        var link = RequireLink(name);
        Assert.Equal("bridge", link.Kind);
        Assert.Equal("52:54:00:b8:c9:9d", link.MacAddress);
        Assert.Equal(1400, link.Mtu);
        Assert.False(link.IsUp);
        Assert.NotNull(link.Bridge);
        Assert.True(link.Bridge.StpEnabled);
        // Older kernels keep the delay of 0 that was applied before STP; 6.18 clamps it to the STP minimum of 2 s.
        Assert.Contains(link.Bridge.ForwardDelay, new[] { TimeSpan.Zero, TimeSpan.FromSeconds(2) });
        Assert.Equal(0x8000, link.Bridge.Priority);
        Assert.Equal("8000.525400b8c99d", link.Bridge.BridgeId);

        var witness = IpCommand.ShowLink(name);
        var data = witness.GetProperty("linkinfo").GetProperty("info_data");
        Assert.Equal("bridge", witness.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Equal("52:54:00:b8:c9:9d", witness.GetProperty("address").GetString());
        Assert.Equal(1400, witness.GetProperty("mtu").GetInt32());
        Assert.Equal(1, data.GetProperty("stp_state").GetInt32());
        Assert.Equal(link.Bridge.ForwardDelay, TimeSpan.FromMilliseconds(10 * data.GetProperty("forward_delay").GetInt32()));
        Assert.Equal(link.Bridge.BridgeId, BrctlForm(data.GetProperty("bridge_id").GetString()!));
        Assert.Equal(link.Index, witness.GetProperty("ifindex").GetInt32());
    }

    [SkippableFact]
    public void CreateBridge_WithStpOff_ReportsStpOffAndTheDelay()
    {
        var name = NewName("br");
        Client.CreateBridge(name, stpEnabled: false, forwardDelay: TimeSpan.FromSeconds(1));

        var bridge = RequireLink(name).Bridge!;
        Assert.False(bridge.StpEnabled);
        Assert.Equal(TimeSpan.FromSeconds(1), bridge.ForwardDelay);
        Assert.Equal(0, IpCommand.ShowLink(name).GetProperty("linkinfo").GetProperty("info_data").GetProperty("stp_state").GetInt32());
    }

    [SkippableFact]
    public void CreateBridge_WithoutOptions_HasTheKernelDefaults()
    {
        var name = NewName("br");
        Client.CreateBridge(name);

        var link = RequireLink(name);
        Assert.False(link.Bridge!.StpEnabled);
        Assert.Equal(TimeSpan.FromSeconds(15), link.Bridge.ForwardDelay);
        // Without IFLA_ADDRESS the bridge has a random MAC but no id address until a port joins (brctl shows the same).
        Assert.Equal("8000.000000000000", link.Bridge.BridgeId);

        var veth = NewName("ve");
        Client.CreateVeth(veth, NewName("vp"));
        Client.SetMaster(RequireLink(veth).Index, link.Index);
        var port = RequireLink(veth);
        Assert.Equal($"8000.{port.MacAddress!.Replace(":", "")}", RequireLink(name).Bridge!.BridgeId);
        Assert.Equal(port.MacAddress, RequireLink(name).MacAddress);
    }

    [SkippableFact]
    public void CreateBridge_StpOnWithOneSecondDelay_IsClampedOrKept_AndStpOffWithShortDelayWorks()
    {
        var name = NewName("br");
        Client.CreateBridge(name, stpEnabled: true, forwardDelay: TimeSpan.FromSeconds(1));
        Assert.Contains(RequireLink(name).Bridge!.ForwardDelay, new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2) });

        Client.SetBridgeOptions(RequireLink(name).Index, stpEnabled: false, forwardDelay: TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), RequireLink(name).Bridge!.ForwardDelay);
    }

    /// <summary>ip prints the bridge id as "8000.52:54:0:b8:c9:9d"; brctl (and BridgeInfo) as "8000.525400b8c99d".</summary>
    private static string BrctlForm(string ipBridgeId)
    {
        var parts = ipBridgeId.Split('.');
        return $"{parts[0]}.{string.Concat(parts[1].Split(':').Select(b => b.PadLeft(2, '0')))}";
    }

    [SkippableFact]
    public void SetBridgeOptions_ChangesDelayAndStp_AndKernelRefusesShortDelayWhileStpIsOn()
    {
        var name = NewName("br");
        Client.CreateBridge(name, stpEnabled: true, forwardDelay: TimeSpan.FromSeconds(2));
        var index = RequireLink(name).Index;
        Assert.Equal(TimeSpan.FromSeconds(2), RequireLink(name).Bridge!.ForwardDelay);

        Client.SetBridgeOptions(index, forwardDelay: TimeSpan.FromSeconds(4.5));
        Assert.Equal(TimeSpan.FromSeconds(4.5), RequireLink(name).Bridge!.ForwardDelay);

        var refused = Assert.Throws<NetlinkException>(() => Client.SetBridgeOptions(index, forwardDelay: TimeSpan.FromSeconds(1)));
        Assert.Equal(Errno.ERANGE, refused.Errno);

        // STP off and delay 0 together: sent as two requests, STP first.
        Client.SetBridgeOptions(index, stpEnabled: false, forwardDelay: TimeSpan.Zero);
        var bridge = RequireLink(name).Bridge!;
        Assert.False(bridge.StpEnabled);
        Assert.Equal(TimeSpan.Zero, bridge.ForwardDelay);

        Client.SetBridgeOptions(index, stpEnabled: true);
        Assert.True(RequireLink(name).Bridge!.StpEnabled);
    }

    [SkippableFact]
    public void VethEnslavedToBridgeWithStpOff_ForwardsAtOnce()
    {
        var bridgeName = NewName("br");
        var vethName = NewName("ve");
        var peerName = NewName("vp");
        Client.CreateBridge(bridgeName, stpEnabled: false, forwardDelay: TimeSpan.FromSeconds(2));
        Client.CreateVeth(vethName, peerName, peerMacAddress: "52:54:00:00:00:42");
        var bridge = RequireLink(bridgeName);
        var veth = RequireLink(vethName);
        var peer = RequireLink(peerName);
        Assert.Equal("veth", veth.Kind);
        Assert.Equal("52:54:00:00:00:42", peer.MacAddress);

        Client.SetMaster(veth.Index, bridge.Index);
        Client.SetLinkUp(bridge.Index);
        Client.SetLinkUp(peer.Index);
        Client.SetLinkUp(veth.Index);

        WaitUntil(() => RequireLink(vethName).BridgePortState == BridgePortState.Forwarding, "the port to forward");
        var port = RequireLink(vethName);
        Assert.Equal(bridge.Index, port.MasterIndex);
        Assert.True(port.IsUp);
        Assert.Equal("bridge", IpCommand.ShowLink(vethName).GetProperty("linkinfo").GetProperty("info_slave_kind").GetString());
        Assert.Equal("forwarding",
            IpCommand.ShowLink(vethName).GetProperty("linkinfo").GetProperty("info_slave_data").GetProperty("state").GetString());

        Client.SetMaster(veth.Index, 0);
        var released = RequireLink(vethName);
        Assert.Null(released.MasterIndex);
        Assert.Null(released.BridgePortState);
    }
}
