using System.Net;
using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Dhcp6;

/// <summary>Which address an IA gets and whether it may keep one.</summary>
public sealed partial class Dhcp6Server
{
    private Dhcp6Reservation? ReservationOf(Duid client, string? hostName)
    {
        // A DUID match beats a host-name match: the name is whatever the client chose to send.
        Dhcp6Reservation? byName = null;
        foreach (var r in Scope.Reservations)
        {
            if (r.ClientId is not null && r.Matches(client, hostName)) return r;
            if (r.ClientId is null && byName is null && r.Matches(client, hostName)) byName = r;
        }
        return byName;
    }

    /// <summary>
    /// The name the client sent, else the one its IA's binding was made with: clients often send their FQDN only in
    /// Solicit and Request, and a host reserved by name must keep its address when it renews without one.
    /// </summary>
    private string? HostNameOf(Dhcp6Binding binding, string? sent) => sent ?? _table.Find(binding)?.HostName;

    private Dhcp6Reservation? ReservationAt(UInt128 address) =>
        Scope.Reservations.FirstOrDefault(r => IpNetwork.ToInteger(r.Address) == address);

    /// <summary>The lease time this client gets: its reservation's own, else the scope's; null is infinite.</summary>
    private TimeSpan? LeaseTimeFor(Duid client, string? hostName) =>
        ReservationOf(client, hostName)?.LeaseTime is { } own ? own.Duration : Scope.LeaseTime;

    /// <summary>No one else has a claim on the address: not reserved for another, not bound to another IA, not declined.</summary>
    private bool IsFreeFor(UInt128 address, Dhcp6Binding binding, string? hostName, DateTimeOffset now)
    {
        if (!IsClientAddress(address)) return false;
        if (ReservationAt(address) is { } r && !ReferenceEquals(r, ReservationOf(binding.ClientId, hostName))) return false;
        var entry = _table.Get(address);
        return entry is null || entry.IsExpired(now) || entry.State == Dhcp6LeaseState.Bound && entry.Binding == binding;
    }

    /// <summary>
    /// Whether the IA may be given this address: it is free for it and is in a range, reserved for the client, or still
    /// bound to the IA. A client whose reservation is free must move onto it.
    /// </summary>
    private bool MayBind(UInt128 address, Dhcp6Binding binding, string? hostName, DateTimeOffset now)
    {
        if (!IsFreeFor(address, binding, hostName, now)) return false;
        if (ReservationOf(binding.ClientId, hostName) is { } reservation)
        {
            var reserved = IpNetwork.ToInteger(reservation.Address);
            if (address == reserved) return true;
            if (IsFreeFor(reserved, binding, hostName, now)) return false;
        }
        if (_pool.Contains(address)) return true;
        return _table.Get(address) is { State: Dhcp6LeaseState.Bound } entry && entry.Binding == binding && !entry.IsExpired(now);
    }

    /// <summary>
    /// Reservation, else the IA's current address, else the first it lists, else its stable hashed one. <paramref name="taken"/>
    /// holds addresses already given to other IAs of the same message.
    /// </summary>
    private UInt128? ChooseAddress(Dhcp6Binding binding, string? hostName, Dhcp6IaNa ia, HashSet<UInt128> taken, DateTimeOffset now)
    {
        bool Usable(UInt128 a) => !taken.Contains(a) && MayBind(a, binding, hostName, now);
        if (ReservationOf(binding.ClientId, hostName) is { } r && Usable(IpNetwork.ToInteger(r.Address))) return IpNetwork.ToInteger(r.Address);
        if (_table.Find(binding) is { } own && Usable(AddressKey(own))) return AddressKey(own);
        foreach (var hint in ia.Addresses)
            if (Usable(IpNetwork.ToInteger(hint.Address))) return IpNetwork.ToInteger(hint.Address);
        // Every address with a claim is a lease or a reservation, so probing one more than those finds a free one if any.
        var claimed = (UInt128)(_table.Count + Scope.Reservations.Count + taken.Count + 1);
        foreach (var candidate in _pool.ProbeOrder(binding.ClientId, binding.Iaid, claimed))
            if (!taken.Contains(candidate) && IsFreeFor(candidate, binding, hostName, now)) return candidate;
        return null;
    }

    private static UInt128 AddressKey(Dhcp6Lease lease) => IpNetwork.ToInteger(lease.Address);

    private static IPAddress Address(UInt128 address) => IpNetwork.FromInteger(address, ipv6: true);

    private static string Text(UInt128 address) => Address(address).ToString();
}
