using VirtualNetworking.Core.Dhcp;
using static VirtualNetworking.Core.Tests.Dhcp.DhcpTestKit;

namespace VirtualNetworking.Core.Tests.Dhcp;

/// <summary>libvirt's per-host &lt;lease&gt; replaces the scope's lease time for that host only.</summary>
public class DhcpReservationLeaseTimeTests
{
    [Fact]
    public void A_reserved_host_gets_its_own_lease_time_and_others_the_scopes()
    {
        var scope = Scope() with
        {
            Reservations =
            [
                new(Mac(1), null, Ip("192.168.122.10")) { LeaseTime = new DhcpLeaseTime(TimeSpan.FromHours(3)) },
                new(Mac(2), null, Ip("192.168.122.11")) { LeaseTime = new DhcpLeaseTime(null) },
            ],
        };
        var server = new DhcpServer(scope);

        Dora(server, Mac(1), T0);
        Dora(server, Mac(2), T0);
        Dora(server, Mac(3), T0);

        var leases = server.Leases.ToDictionary(l => l.HardwareAddress);
        Assert.Equal(T0.AddHours(3), leases[Mac(1)].Expires);
        Assert.Null(leases[Mac(2)].Expires);
        Assert.Equal(T0.AddHours(1), leases[Mac(3)].Expires);
        var offer = server.Handle(Discover(Mac(1)), Broadcast, T0).Reply!;
        Assert.Equal(3u * 3600, OnWire(offer).LeaseTimeSeconds);
    }

    [Fact]
    public void An_out_of_range_host_lease_time_makes_the_scope_invalid()
    {
        var scope = Scope() with { Reservations = [new(Mac(1), null, Ip("192.168.122.10")) { LeaseTime = new DhcpLeaseTime(TimeSpan.Zero) }] };
        Assert.Contains(scope.Validate(), p => p.Contains("lease time", StringComparison.Ordinal));
    }
}
