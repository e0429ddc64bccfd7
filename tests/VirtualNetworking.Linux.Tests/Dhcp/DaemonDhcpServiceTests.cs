using System.Net;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Linux.Dhcp;

namespace VirtualNetworking.Linux.Tests.Dhcp;

/// <summary>
/// vnetd started by <see cref="DaemonDhcpService"/> inside the test namespace, asked for leases by real clients
/// (busybox udhcpc, ISC dhclient) in guest namespaces joined to test bridges by veth pairs.
/// </summary>
public sealed class DaemonDhcpServiceTests : NetworkTest
{
    [SkippableFact]
    public void Udhcpc_gets_a_lease_in_range_with_router_mask_domain_and_mtu_and_the_lease_is_on_disk()
    {
        using var bed = new DaemonTestBed();
        var bridge = NewName("br");
        bed.CreateBridge(bridge, "10.231.1.1/24");
        var guest = bed.AddGuest(bridge, "52:54:00:10:00:01");
        bed.Service.Serve(DaemonTestBed.Network("dnet1", bridge, "10.231.1", "<forward mode='nat'/><mtu size='1400'/><domain name='lab.test'/>"));

        var lease = DhcpClientRun.Udhcpc(guest, bed.Root) ?? throw new Xunit.Sdk.XunitException("udhcpc got no lease.\n" + bed.Log());

        var address = IPAddress.Parse(lease["ip"]);
        Assert.InRange(address.GetAddressBytes()[3], 100, 150);
        Assert.StartsWith("10.231.1.", lease["ip"], StringComparison.Ordinal);
        Assert.Equal("10.231.1.1", lease["router"]);
        Assert.Equal("255.255.255.0", lease["subnet"]);
        Assert.Equal("lab.test", lease["domain"]);
        Assert.Equal("1400", lease["mtu"]);
        Assert.Equal("3600", lease["lease"]);
        var stored = Assert.Single(bed.Service.ReadLeases("dnet1"));
        Assert.Equal(address, stored.Address);
        Assert.Equal(DhcpLeaseState.Bound, stored.State);
        Assert.Equal("525400100001", stored.HardwareAddress.ToString());
        var status = Assert.Single(bed.Service.GetStatus());
        Assert.Equal(("dnet1", bridge, 1), (status.Name, status.Bridge, status.Statistics!.ActiveLeases));
    }

    [SkippableFact]
    public void Dhclient_gets_a_lease_and_an_isolated_network_gives_no_router()
    {
        using var bed = new DaemonTestBed();
        var bridge = NewName("br");
        bed.CreateBridge(bridge, "10.231.2.1/24");
        var guest = bed.AddGuest(bridge, "52:54:00:10:00:02");
        bed.Service.Serve(DaemonTestBed.Network("dnet2", bridge, "10.231.2", extra: "",
            dhcpExtra: "<host mac='52:54:00:10:00:02' name='fixed' ip='10.231.2.7'/>"));

        var lease = DhcpClientRun.Dhclient(guest, bed.Root) ?? throw new Xunit.Sdk.XunitException("dhclient got no lease.\n" + bed.Log());

        Assert.Equal("10.231.2.7", lease["new_ip_address"]);
        Assert.Equal("255.255.255.0", lease["new_subnet_mask"]);
        Assert.False(lease.ContainsKey("new_routers"), "an isolated network must not hand out a router");
        Assert.Equal("fixed", lease.GetValueOrDefault("new_host_name"));
        Assert.Equal(IPAddress.Parse("10.231.2.7"), Assert.Single(bed.Service.ReadLeases("dnet2")).Address);
    }

    [SkippableFact]
    public void A_lease_survives_kill_9_of_the_daemon_and_its_restart()
    {
        using var bed = new DaemonTestBed();
        var bridge = NewName("br");
        bed.CreateBridge(bridge, "10.231.3.1/24");
        var first = bed.AddGuest(bridge, "52:54:00:10:00:03");
        var second = bed.AddGuest(bridge, "52:54:00:10:00:04");
        var network = DaemonTestBed.Network("dnet3", bridge, "10.231.3");
        bed.Service.Serve(network);
        var before = DhcpClientRun.Udhcpc(first, bed.Root)?["ip"] ?? throw new Xunit.Sdk.XunitException("no lease.\n" + bed.Log());
        var killed = bed.Service.Ping()!.ProcessId;

        DaemonTestBed.Signal(killed, "KILL");
        WaitUntil(() => !DaemonTestBed.IsRunning(killed), "the daemon to die");
        bed.Service.Serve(network); // a new daemon, restoring from the lease file

        Assert.NotEqual(killed, bed.Service.Ping()!.ProcessId);
        Assert.Equal(1, Assert.Single(bed.Service.GetStatus()).Statistics!.ActiveLeases);
        // Another client asking for the address is refused it: the restored lease still holds it.
        var other = DhcpClientRun.Udhcpc(second, bed.Root, requestIp: before)?["ip"];
        Assert.NotNull(other);
        Assert.NotEqual(before, other);
        Assert.Equal(before, DhcpClientRun.Udhcpc(first, bed.Root)?["ip"]);
    }

    [SkippableFact]
    public void Two_networks_are_served_independently_and_a_released_one_stops_answering()
    {
        using var bed = new DaemonTestBed();
        var (bridgeA, bridgeB) = (NewName("br"), NewName("br"));
        bed.CreateBridge(bridgeA, "10.231.4.1/24");
        bed.CreateBridge(bridgeB, "10.231.5.1/24");
        var guestA = bed.AddGuest(bridgeA, "52:54:00:10:00:05");
        var guestB = bed.AddGuest(bridgeB, "52:54:00:10:00:06");
        bed.Service.Serve(DaemonTestBed.Network("dneta", bridgeA, "10.231.4"));
        bed.Service.Serve(DaemonTestBed.Network("dnetb", bridgeB, "10.231.5"));

        Assert.StartsWith("10.231.4.", DhcpClientRun.Udhcpc(guestA, bed.Root)?["ip"], StringComparison.Ordinal);
        Assert.StartsWith("10.231.5.", DhcpClientRun.Udhcpc(guestB, bed.Root)?["ip"], StringComparison.Ordinal);

        bed.Service.Release("dneta");
        Assert.Equal(["dnetb"], bed.Service.GetStatus().Select(s => s.Name));
        Assert.Null(DhcpClientRun.Udhcpc(guestA, bed.Root));
        Assert.StartsWith("10.231.5.", DhcpClientRun.Udhcpc(guestB, bed.Root)?["ip"], StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_recreated_bridge_is_served_again_when_the_network_is_re_added()
    {
        using var bed = new DaemonTestBed();
        var bridge = NewName("br");
        bed.CreateBridge(bridge, "10.231.6.1/24");
        var network = DaemonTestBed.Network("dnet6", bridge, "10.231.6");
        bed.Service.Serve(network);
        bed.DeleteBridge(bridge);
        bed.CreateBridge(bridge, "10.231.6.1/24");
        var guest = bed.AddGuest(bridge, "52:54:00:10:00:07");

        bed.Service.Serve(network);

        Assert.Equal(RequireLink(bridge).Index, Assert.Single(bed.Service.GetStatus()).InterfaceIndex);
        Assert.StartsWith("10.231.6.", DhcpClientRun.Udhcpc(guest, bed.Root)?["ip"], StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Serving_a_network_whose_bridge_is_missing_throws()
    {
        using var bed = new DaemonTestBed();
        var error = Assert.Throws<DhcpDaemonException>(() => bed.Service.Serve(DaemonTestBed.Network("dnet7", NewName("br"), "10.231.7")));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void The_daemon_exits_after_its_idle_period_without_networks()
    {
        using var bed = new DaemonTestBed(idleGrace: TimeSpan.FromSeconds(1));
        var bridge = NewName("br");
        bed.CreateBridge(bridge, "10.231.8.1/24");
        bed.Service.Serve(DaemonTestBed.Network("dnet8", bridge, "10.231.8"));
        var pid = bed.Service.Ping()!.ProcessId;
        Thread.Sleep(1500);
        Assert.True(DaemonTestBed.IsRunning(pid), "a daemon serving a network must stay");

        bed.Service.Release("dnet8");

        WaitUntil(() => !DaemonTestBed.IsRunning(pid), "the idle daemon to exit");
        Assert.False(File.Exists(bed.Service.SocketPath));
        Assert.False(File.Exists(bed.Service.PidFilePath));
        Assert.Null(bed.Service.Ping());
    }

    [SkippableTheory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, UnixFileMode.UserExecute | UnixFileMode.GroupExecute)]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_daemon_binary_without_execute_bits_as_a_package_install_leaves_it_gets_them_for_its_readers_and_starts(
        UnixFileMode installed, UnixFileMode added)
    {
        // Install-PSResource writes vnetd without execute bits (NuGet's packer keeps no Unix modes). The daemon's folder is
        // copied whole: a development build's vnetd is an apphost beside its assemblies.
        var folder = Directory.CreateTempSubdirectory("vnet-vnetd-").FullName;
        try
        {
            var daemon = DaemonTestBed.FindDaemon();
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(daemon)!))
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            var copy = Path.Combine(folder, Path.GetFileName(daemon));
            File.SetUnixFileMode(copy, installed);
            using var bed = new DaemonTestBed(daemonPath: copy);

            var pid = bed.Service.EnsureRunning().ProcessId;

            Assert.Equal(installed | added, File.GetUnixFileMode(copy));
            Assert.Equal(copy, new FileInfo($"/proc/{pid}/exe").LinkTarget);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
