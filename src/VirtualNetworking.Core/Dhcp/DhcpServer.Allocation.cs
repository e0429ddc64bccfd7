namespace VirtualNetworking.Core.Dhcp;

/// <summary>Which address a client gets and whether it may keep one.</summary>
public sealed partial class DhcpServer
{
    private DhcpReservation? ReservationOf(DhcpClient client)
    {
        // A MAC match beats a host-name match: the name is whatever the client chose to send.
        DhcpReservation? byName = null;
        foreach (var r in _reservations)
        {
            if (r.HardwareAddress is not null && r.Matches(client)) return r;
            if (r.HardwareAddress is null && byName is null && r.Matches(client)) byName = r;
        }
        return byName;
    }

    private DhcpReservation? ReservationAt(uint address) =>
        _reservations.FirstOrDefault(r => Ipv4.ToUInt32(r.Address) == address);

    /// <summary>No one else has a claim on the address: not reserved for another, not held by another's live entry.</summary>
    private bool IsFreeFor(uint address, DhcpClient client, DateTimeOffset now)
    {
        if (!IsClientAddress(address)) return false;
        if (ReservationAt(address) is { } r && !ReferenceEquals(r, ReservationOf(client))) return false;
        var entry = _table.Get(address);
        return entry is null || client.Owns(entry) || entry.IsExpired(now);
    }

    /// <summary>
    /// Whether the client may be ACKed this address: it is free for the client and is in a range, reserved
    /// for the client, or still leased to it. A client whose reservation has come free must move onto it.
    /// </summary>
    private bool MayBind(uint address, DhcpClient client, DateTimeOffset now)
    {
        if (!IsFreeFor(address, client, now)) return false;
        var reservation = ReservationOf(client);
        if (reservation is not null)
        {
            var reserved = Ipv4.ToUInt32(reservation.Address);
            if (address == reserved) return true;
            if (IsFreeFor(reserved, client, now)) return false;
        }
        if (_pool.Contains(address)) return true;
        return _table.Get(address) is { } entry && client.Owns(entry) && !entry.IsExpired(now);
    }

    /// <summary>Reservation, else the client's current address, else the one it asks for, else its stable hashed one.</summary>
    private uint? ChooseAddress(DhcpClient client, DhcpPacket request, DateTimeOffset now)
    {
        if (ReservationOf(client) is { } r && IsFreeFor(Ipv4.ToUInt32(r.Address), client, now)) return Ipv4.ToUInt32(r.Address);
        if (_table.Find(client) is { } own && MayBind(Ipv4.ToUInt32(own.Address), client, now)) return Ipv4.ToUInt32(own.Address);
        if (request.RequestedAddress is { } wanted && MayBind(Ipv4.ToUInt32(wanted), client, now)) return Ipv4.ToUInt32(wanted);
        foreach (var candidate in _pool.ProbeOrder(client.IdentityBytes))
            if (IsFreeFor(candidate, client, now)) return candidate;
        return null;
    }
}
