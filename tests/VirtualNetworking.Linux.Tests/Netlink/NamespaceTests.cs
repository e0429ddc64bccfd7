using System.Diagnostics;
using VirtualNetworking.Linux.Netlink;

namespace VirtualNetworking.Linux.Tests.Netlink;

public sealed class NamespaceTests : NetworkTest
{
    [SkippableFact]
    public void VethPeer_MovedIntoSecondNamespaceByFile_LeavesThisOne()
    {
        var second = $"{TestNamespace}-2";
        var name = NewName("ve");
        var peer = NewName("vp");
        IpCommand.Run("netns", "add", second);
        try
        {
            Client.CreateVeth(name, peer);
            using (var file = File.OpenHandle($"/run/netns/{second}"))
            {
                Client.MoveLinkToNamespace(RequireLink(peer).Index, NetworkNamespaceTarget.FromFile(file));
            }

            Assert.Null(Client.GetLink(peer));
            Assert.NotNull(Client.GetLink(name));
            Assert.Contains(peer, IpCommand.Run("-n", second, "link", "show", "dev", peer));
        }
        finally
        {
            IpCommand.Run("netns", "delete", second);
        }
        // Deleting the namespace destroyed the peer, and with it the pair.
        WaitUntil(() => Client.GetLink(name) is null, "the veth pair to go with the namespace");
    }

    [SkippableFact]
    public void CreateVeth_WithPeerStraightInSecondNamespace()
    {
        var second = $"{TestNamespace}-3";
        var name = NewName("ve");
        var peer = NewName("vp");
        IpCommand.Run("netns", "add", second);
        try
        {
            using (var file = File.OpenHandle($"/run/netns/{second}"))
            {
                Client.CreateVeth(name, peer, "52:54:00:12:34:56", NetworkNamespaceTarget.FromFile(file));
            }

            Assert.Null(Client.GetLink(peer));
            Assert.Contains("52:54:00:12:34:56", IpCommand.Run("-n", second, "link", "show", "dev", peer));
        }
        finally
        {
            IpCommand.Run("netns", "delete", second);
        }
    }

    [SkippableFact]
    public void VethPeer_MovedIntoNamespaceOfAProcess()
    {
        var second = $"{TestNamespace}-4";
        var name = NewName("ve");
        var peer = NewName("vp");
        IpCommand.Run("netns", "add", second);
        Process? sleeper = null;
        try
        {
            // `ip netns exec` execs sleep in place, so the started process's id is a process inside that namespace.
            sleeper = Process.Start("ip", ["netns", "exec", second, "sleep", "60"]);
            WaitUntil(() => File.ResolveLinkTarget($"/proc/{sleeper.Id}/exe", false)?.FullName.EndsWith("sleep") == true,
                "sleep to run in the namespace");
            Client.CreateVeth(name, peer);

            Client.MoveLinkToNamespace(RequireLink(peer).Index, NetworkNamespaceTarget.FromProcess(sleeper.Id));

            Assert.Null(Client.GetLink(peer));
            Assert.Contains(peer, IpCommand.Run("-n", second, "link", "show", "dev", peer));
        }
        finally
        {
            sleeper?.Kill();
            sleeper?.WaitForExit();
            sleeper?.Dispose();
            IpCommand.Run("netns", "delete", second);
        }
    }
}
