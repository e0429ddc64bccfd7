using VirtualNetworking.Linux.Netlink;

namespace VirtualNetworking.Linux.Tests.Netlink;

public sealed class LinkTests : NetworkTest
{
    [SkippableFact]
    public void GetLinks_ListsLoopbackUp()
    {
        var lo = Assert.Single(Client.GetLinks(), l => l.Name == "lo");
        Assert.Null(lo.Kind);
        Assert.True(lo.IsUp);
        Assert.Equal(1, lo.Index);
    }

    [SkippableFact]
    public void GetLinkByIndex_FindsTheLinkOrNull()
    {
        var name = NewName("br");
        Client.CreateBridge(name);
        var index = RequireLink(name).Index;

        Assert.Equal(name, Client.GetLink(index)?.Name);
        Client.DeleteLink(name);
        Assert.Null(Client.GetLink(index));
    }

    [SkippableFact]
    public void SetMtuMacUpDownAndRename_AreVisible()
    {
        var name = NewName("ve");
        Client.CreateVeth(name, NewName("vp"));
        var index = RequireLink(name).Index;

        Client.SetMtu(index, 1280);
        Client.SetMacAddress(index, "02:00:00:aa:bb:cc");
        Client.SetLinkUp(index);
        var link = RequireLink(name);
        Assert.Equal(1280, link.Mtu);
        Assert.Equal("02:00:00:aa:bb:cc", link.MacAddress);
        Assert.True(link.IsUp);

        Client.SetLinkDown(index);
        var renamed = NewName("rn");
        Client.RenameLink(index, renamed);
        Assert.Null(Client.GetLink(name));
        Assert.Equal(index, RequireLink(renamed).Index);
        Assert.False(RequireLink(renamed).IsUp);
    }

    [SkippableFact]
    public void RenameLink_WhileUp_WorksOnNewKernelsOrIsRefusedWithEbusy()
    {
        var name = NewName("ve");
        Client.CreateVeth(name, NewName("vp"));
        var index = RequireLink(name).Index;
        Client.SetLinkUp(index);
        var renamed = NewName("rn");
        try
        {
            Client.RenameLink(index, renamed);
            Assert.True(RequireLink(renamed).IsUp);
        }
        catch (NetlinkException e)
        {
            Assert.Equal(Errno.EBUSY, e.Errno);
        }
    }

    [SkippableFact]
    public void DeleteLink_ByIndexAndByName_RemovesIt()
    {
        var first = NewName("br");
        var second = NewName("br");
        Client.CreateBridge(first);
        Client.CreateBridge(second);

        Client.DeleteLink(RequireLink(first).Index);
        Client.DeleteLink(second);

        Assert.Null(Client.GetLink(first));
        Assert.DoesNotContain(Client.GetLinks(), l => l.Name == second);
    }

    [SkippableFact]
    public void DeleteLinkUntilUnlisted_ReturnsWithTheLinkAndItsAddressGoneAndTheNameFree()
    {
        var name = NewName("br");
        Client.CreateBridge(name, stpEnabled: true, forwardDelay: TimeSpan.Zero);
        var index = RequireLink(name).Index;
        Client.AddAddress(index, System.Net.IPAddress.Parse("10.251.0.1"), 24);
        Client.SetLinkUp(index);

        Client.DeleteLinkUntilUnlisted(index);

        Assert.Null(Client.GetLink(name));
        Assert.DoesNotContain(Client.GetAddresses(), a => a.LinkIndex == index);
        Client.CreateBridge(name); // the name is free at once
        Client.DeleteLinkUntilUnlisted(RequireLink(name).Index);
        Assert.Null(Client.GetLink(name));
    }

    [SkippableFact]
    public void DeleteLinkUntilUnlisted_ThrowsTheKernelsRefusal()
    {
        Assert.Equal(Errno.EOPNOTSUPP, Assert.Throws<NetlinkException>(() => Client.DeleteLinkUntilUnlisted(1)).Errno); // loopback
        Assert.Equal(Errno.ENODEV, Assert.Throws<NetlinkException>(() => Client.DeleteLinkUntilUnlisted(999_999)).Errno);
        Assert.NotNull(Client.GetLink("lo"));
    }

    [SkippableFact]
    public void CreateExistingName_ThrowsEexist()
    {
        var name = NewName("br");
        Client.CreateBridge(name);

        var error = Assert.Throws<NetlinkException>(() => Client.CreateBridge(name));
        Assert.Equal(Errno.EEXIST, error.Errno);
        Assert.Contains(name, error.Message);
        Assert.Contains("EEXIST", error.Message);
        Assert.Throws<NetlinkException>(() => Client.CreateVeth(name, NewName("vp")));
    }

    [SkippableFact]
    public void DeleteMissingLink_ThrowsEnodev()
    {
        Assert.Equal(Errno.ENODEV, Assert.Throws<NetlinkException>(() => Client.DeleteLink("vtmissing")).Errno);
        Assert.Equal(Errno.ENODEV, Assert.Throws<NetlinkException>(() => Client.DeleteLink(999_999)).Errno);
        Assert.Null(Client.GetLink("vtmissing"));
    }

    [SkippableFact]
    public void CreateTap_WithOwnerAndPersistent_IsAKindTunLink()
    {
        var name = NewName("tap");
        Client.CreateTap(name, ownerUid: 4242);
        try
        {
            var link = RequireLink(name);
            Assert.Equal("tun", link.Kind);
            var data = IpCommand.ShowLink(name).GetProperty("linkinfo").GetProperty("info_data");
            Assert.Equal("tap", data.GetProperty("type").GetString());
            Assert.True(data.GetProperty("pi").GetBoolean() == false);
            Assert.True(data.GetProperty("persist").GetBoolean());
            Assert.Equal(4242, data.GetProperty("user").GetInt32());
        }
        finally
        {
            Client.DeleteLink(name);
        }
    }

    [SkippableFact]
    public void CreateTap_NotPersistent_VanishesWhenItsFileCloses()
    {
        var name = NewName("tap");
        Client.CreateTap(name, persistent: false);
        Assert.Null(Client.GetLink(name));
    }
}
