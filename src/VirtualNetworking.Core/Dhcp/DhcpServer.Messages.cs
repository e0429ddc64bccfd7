
namespace VirtualNetworking.Core.Dhcp;

/// <summary>One method per client message type (RFC 2131 §4.3).</summary>
public sealed partial class DhcpServer
{
    private DhcpResult Discover(DhcpPacket request, DhcpClient client, DateTimeOffset now)
    {
        _counters.Discovers++;
        if (ChooseAddress(client, request, now) is not { } address)
        {
            _counters.PoolExhausted++;
            return DhcpResult.Silent($"DISCOVER from {client.HardwareAddress}: no free address");
        }
        var changes = new List<DhcpLeaseChange>();
        // The client's live lease on the offered address stays as it is; otherwise the address is held for the offer.
        if (_table.Get(address) is not { State: DhcpLeaseState.Bound } current || !client.Owns(current) || current.IsExpired(now))
        {
            var hold = NewLease(address, client, now + Scope.OfferHoldTime, DhcpLeaseState.Offered);
            if (_table.Put(hold) is { State: DhcpLeaseState.Bound } displaced) changes.Add(new(DhcpLeaseChangeKind.Remove, displaced));
        }
        _counters.Offers++;
        var reply = DhcpReplyBuilder.Offer(ScopeFor(client), request, Ipv4.ToAddress(address), ReservationOf(client)?.HostName);
        return new DhcpResult(reply, changes, $"OFFER {Ipv4.ToAddress(address)} to {client.HardwareAddress}");
    }

    private DhcpResult Request(DhcpPacket request, DhcpClient client, DhcpReceiveInfo received, DateTimeOffset now)
    {
        _counters.Requests++;
        var serverId = request.ServerIdentifier;
        var requested = request.RequestedAddress;
        var clientAddress = request.ClientAddress;
        if (serverId is not null)
        {
            if (!serverId.Equals(Scope.ServerAddress))
            {
                // SELECTING another server: our offer is declined implicitly, free it now.
                if (_table.Find(client) is { State: DhcpLeaseState.Offered } offer) _table.Remove(Ipv4.ToUInt32(offer.Address));
                return DhcpResult.Silent($"REQUEST from {client.HardwareAddress} selects server {serverId}");
            }
            var selected = requested ?? (DhcpReplyBuilder.IsZero(clientAddress) ? null : clientAddress);
            if (selected is null) return Nak(request, "no requested address");
            return MayBind(Ipv4.ToUInt32(selected), client, now)
                ? Ack(request, client, Ipv4.ToUInt32(selected), now, "SELECTING")
                : Nak(request, $"address {selected} is not available");
        }

        var (address, phase) = requested is not null ? (requested, "INIT-REBOOT")
            : !DhcpReplyBuilder.IsZero(clientAddress) ? (clientAddress, received.ArrivedAsBroadcast ? "REBINDING" : "RENEWING")
            : (null, "");
        if (address is null) return Drop("REQUEST without server id, requested address or ciaddr");
        // RFC 2131 §4.3.2: with no record of the client a server stays silent, unless it is authoritative.
        var known = _table.Find(client) is not null || ReservationOf(client) is not null;
        if (!Scope.Subnet.Contains(address))
            return Scope.Authoritative || known ? Nak(request, $"{address} is on the wrong network") : DhcpResult.Silent($"{phase} for foreign {address} ignored");
        if (!Scope.Authoritative && !known) return DhcpResult.Silent($"{phase} from unknown {client.HardwareAddress} ignored");
        if (MayBind(Ipv4.ToUInt32(address), client, now)) return Ack(request, client, Ipv4.ToUInt32(address), now, phase);
        // A client NAKed off an address it held (e.g. now reserved for another) gives it up at once.
        var nak = Nak(request, $"address {address} is not available");
        if (_table.Get(Ipv4.ToUInt32(address)) is { State: DhcpLeaseState.Bound } held && client.Owns(held))
        {
            _table.Remove(Ipv4.ToUInt32(address));
            return nak with { LeaseChanges = [new(DhcpLeaseChangeKind.Remove, held)] };
        }
        return nak;
    }

    private DhcpResult Decline(DhcpPacket request, DhcpClient client, DateTimeOffset now)
    {
        _counters.Declines++;
        if (request.ServerIdentifier is { } id && !id.Equals(Scope.ServerAddress)) return DhcpResult.Silent("DECLINE for another server");
        if (request.RequestedAddress is not { } declined) return DhcpResult.Silent("DECLINE without requested address");
        // Only the holder can decline, so a stray client cannot take addresses out of the pool.
        if (_table.Get(Ipv4.ToUInt32(declined)) is not { } entry || !client.Owns(entry))
            return DhcpResult.Silent($"DECLINE of {declined} by non-holder {client.HardwareAddress} ignored");
        var quarantine = new DhcpLease(declined, client.HardwareAddress, null, null, now + Scope.DeclineQuarantine, DhcpLeaseState.Declined);
        _table.Put(quarantine);
        return DhcpResult.Silent($"DECLINE: {declined} quarantined until {quarantine.Expires:O}", [new(DhcpLeaseChangeKind.Upsert, quarantine)]);
    }

    private DhcpResult Release(DhcpPacket request, DhcpClient client)
    {
        _counters.Releases++;
        if (request.ServerIdentifier is { } id && !id.Equals(Scope.ServerAddress)) return DhcpResult.Silent("RELEASE for another server");
        if (DhcpReplyBuilder.IsZero(request.ClientAddress)) return DhcpResult.Silent("RELEASE without ciaddr");
        var address = Ipv4.ToUInt32(request.ClientAddress);
        if (_table.Get(address) is not { State: DhcpLeaseState.Bound } lease || !client.Owns(lease))
            return DhcpResult.Silent($"RELEASE of {request.ClientAddress} by non-holder {client.HardwareAddress} ignored");
        _table.Remove(address);
        return DhcpResult.Silent($"RELEASE of {request.ClientAddress}", [new(DhcpLeaseChangeKind.Remove, lease)]);
    }

    private DhcpResult Inform(DhcpPacket request)
    {
        _counters.Informs++;
        if (DhcpReplyBuilder.IsZero(request.ClientAddress) || !Scope.Subnet.Contains(request.ClientAddress))
            return Drop($"INFORM from {request.ClientAddress}, outside {Scope.Subnet}");
        _counters.Acks++;
        return new DhcpResult(DhcpReplyBuilder.InformAck(Scope, request), [], $"ACK (INFORM) to {request.ClientAddress}");
    }

    private DhcpResult Ack(DhcpPacket request, DhcpClient client, uint address, DateTimeOffset now, string phase)
    {
        var expires = ScopeFor(client).LeaseTime is { } t ? now + t : (DateTimeOffset?)null;
        var lease = NewLease(address, client, expires, DhcpLeaseState.Bound);
        var changes = new List<DhcpLeaseChange>();
        if (_table.Put(lease) is { State: DhcpLeaseState.Bound } displaced)
            changes.Add(new(DhcpLeaseChangeKind.Remove, displaced));
        changes.Add(new(DhcpLeaseChangeKind.Upsert, lease));
        _counters.Acks++;
        var reply = DhcpReplyBuilder.Ack(ScopeFor(client), request, lease.Address, ReservationOf(client)?.HostName);
        return new DhcpResult(reply, changes, $"ACK ({phase}) {lease.Address} to {client.HardwareAddress}");
    }

    private DhcpResult Nak(DhcpPacket request, string message)
    {
        _counters.Naks++;
        return new DhcpResult(DhcpReplyBuilder.Nak(Scope, request, message), [], $"NAK to {request.ClientHardwareAddress}: {message}");
    }

    private DhcpLease NewLease(uint address, DhcpClient client, DateTimeOffset? expires, DhcpLeaseState state) =>
        new(Ipv4.ToAddress(address), client.HardwareAddress, client.ClientId, ReservationOf(client)?.HostName ?? client.RequestedHostName, expires, state);

    /// <summary>The scope as this client sees it: a reservation's own lease time replaces the scope's.</summary>
    private DhcpScope ScopeFor(DhcpClient client) =>
        ReservationOf(client)?.LeaseTime is { } own ? Scope with { LeaseTime = own.Duration } : Scope;
}
