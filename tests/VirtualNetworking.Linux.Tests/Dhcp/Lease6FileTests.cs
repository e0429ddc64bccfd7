using System.Net;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Linux.Dhcp;

namespace VirtualNetworking.Linux.Tests.Dhcp;

/// <summary>The DHCPv6 lease file as the module reads it, beside the DHCPv4 one. Files only, in a temp directory: no daemon, no links.</summary>
public sealed class Lease6FileTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly Duid Client = Duid.Parse("00:03:00:01:52:54:00:00:00:01");
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("vnet-lease6-tests-");
    private readonly DaemonDhcpService service;

    public Lease6FileTests() => service = new DaemonDhcpService(new StatePaths(root.FullName));

    public void Dispose() => root.Delete(recursive: true);

    private void Write(params Dhcp6Lease[] leases)
    {
        Directory.CreateDirectory(service.Paths.LeaseDirectory);
        File.WriteAllText(service.Lease6File("lab"), Dhcp6LeaseFileFormat.Serialize(leases));
    }

    private static Dhcp6Lease Lease(string address, DateTimeOffset? expires, Dhcp6LeaseState state = Dhcp6LeaseState.Bound) =>
        new(IPAddress.Parse(address), Client, 1, null, expires, state);

    [Fact]
    public void The_file_is_the_networks_name_with_leases6_in_the_lease_directory()
    {
        Assert.Equal(Path.Combine(root.FullName, "var/lib/virtualnetworking", "lab.leases6"), service.Lease6File("lab"));
    }

    [Fact]
    public void Only_bound_unexpired_leases_are_read()
    {
        Write(Lease("fd00::10", Now.AddHours(1)), Lease("fd00::11", null), Lease("fd00::12", Now.AddSeconds(-1)),
              Lease("fd00::13", Now.AddHours(1), Dhcp6LeaseState.Declined));

        Assert.Equal(["fd00::10", "fd00::11"], service.ReadLeases6("lab", Now).Select(l => l.Address.ToString()));
        Assert.Empty(service.ReadLeases6("nosuch", Now));
    }

    [Fact]
    public void Release_deletes_a_file_without_live_records_and_keeps_one_with_them()
    {
        Write(Lease("fd00::12", DateTimeOffset.UtcNow.AddSeconds(-1)));
        service.Release("lab");
        Assert.False(File.Exists(service.Lease6File("lab")));

        // A declined address stays out of the pool until it expires, as for DHCPv4: its record is kept.
        Write(Lease("fd00::13", DateTimeOffset.UtcNow.AddHours(1), Dhcp6LeaseState.Declined));
        service.Release("lab");
        Assert.True(File.Exists(service.Lease6File("lab")));
    }
}
