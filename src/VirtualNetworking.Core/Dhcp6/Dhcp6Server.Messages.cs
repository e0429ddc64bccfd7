using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Core.Dhcp6;

/// <summary>One method per client message type (RFC 8415 §18.3).</summary>
public sealed partial class Dhcp6Server
{
    /// <summary>
    /// The only server on the link: preference 255 lets the client Request at once instead of waiting out the first
    /// Solicit timeout for better offers (RFC 8415 §18.2.1).
    /// </summary>
    private const byte OnlyServerPreference = 255;

    private Dhcp6Result Solicit(Dhcp6Message request, DateTimeOffset now)
    {
        if (Scope.RapidCommit && request.RapidCommit)
        {
            var bound = Bind(request, now);
            return AnswerWithConfiguration(request, [.. bound.Options, Dhcp6Option.RapidCommit()], bound.Changes, $"Reply (rapid commit) {bound.Summary}");
        }
        // An Advertise reserves nothing: the Request is served from the same deterministic choice, and may differ only
        // if another client took the address in between, which RFC 8415 §18.3.2 allows.
        var taken = new HashSet<UInt128>();
        var options = new List<Dhcp6Option>();
        var offered = new List<string>();
        foreach (var ia in request.IaNas)
        {
            var binding = new Dhcp6Binding(request.ClientId!, ia.Iaid);
            var hostName = HostNameOf(binding, request.ClientHostName);
            if (ChooseAddress(binding, hostName, ia, taken, now) is { } address)
            {
                taken.Add(address);
                options.Add(Dhcp6Option.IaNa(Granted(ia, address, LeaseTimeFor(binding.ClientId, hostName))));
                offered.Add(Text(address));
            }
            else options.Add(Dhcp6Option.IaNa(NoAddress(ia)));
        }
        // RFC 8415 puts NoAddrsAvail in each IA; RFC 3315 clients look for it at the top when nothing is offered.
        if (offered.Count == 0 && request.IaNas.Count > 0) options.Add(Dhcp6Option.Status(new(Dhcp6StatusCode.NoAddrsAvail, "no address is free")));
        options.Add(Dhcp6Option.Preference(OnlyServerPreference));
        return AnswerWithConfiguration(request, options, [], $"Advertise [{string.Join(", ", offered)}] to {request.ClientId}", Dhcp6MessageType.Advertise);
    }

    private Dhcp6Result Request(Dhcp6Message request, DateTimeOffset now)
    {
        var bound = Bind(request, now);
        return AnswerWithConfiguration(request, bound.Options, bound.Changes, $"Reply (Request) {bound.Summary}");
    }

    /// <summary>RFC 8415 §18.3.4: extend the IA's binding; an IA the server has no binding for gets NoBinding.</summary>
    private Dhcp6Result Renew(Dhcp6Message request, DateTimeOffset now) => Extend(request, now, rebind: false);

    /// <summary>
    /// RFC 8415 §18.3.5: as Renew, from any server. For an unknown IA whose addresses are off-link the server returns them
    /// with lifetimes 0 so the client drops them at once; otherwise NoBinding, and the client starts over with Solicit.
    /// </summary>
    private Dhcp6Result Rebind(Dhcp6Message request, DateTimeOffset now) => Extend(request, now, rebind: true);

    private Dhcp6Result Extend(Dhcp6Message request, DateTimeOffset now, bool rebind)
    {
        var options = new List<Dhcp6Option>();
        var changes = new List<Dhcp6LeaseChange>();
        var taken = new HashSet<UInt128>();
        var extended = new List<string>();
        foreach (var ia in request.IaNas)
        {
            var binding = new Dhcp6Binding(request.ClientId!, ia.Iaid);
            if (_table.Find(binding) is not { } lease || lease.IsExpired(now))
            {
                var offLink = ia.Addresses.Where(a => !Scope.Subnet.Contains(a.Address)).ToList();
                options.Add(Dhcp6Option.IaNa(rebind && offLink.Count > 0
                    ? new Dhcp6IaNa(ia.Iaid, 0, 0, [.. offLink.Select(a => a with { PreferredLifetime = 0, ValidLifetime = 0, Status = null })])
                    : new Dhcp6IaNa(ia.Iaid, 0, 0, [], new(Dhcp6StatusCode.NoBinding, "no binding for this IA"))));
                continue;
            }
            // Bind keeps the address unless a reservation now claims it or the client's own came free.
            var (reply, change) = BindIa(binding, request.ClientHostName, ia, taken, now);
            options.Add(Dhcp6Option.IaNa(reply));
            changes.AddRange(change);
            extended.AddRange(reply.Addresses.Where(a => a.ValidLifetime > 0).Select(a => a.Address.ToString()));
        }
        return AnswerWithConfiguration(request, options, changes, $"Reply ({(rebind ? "Rebind" : "Renew")}) [{string.Join(", ", extended)}] to {request.ClientId}");
    }

    /// <summary>RFC 8415 §18.3.7: bindings are removed; IAs the server does not know come back with NoBinding.</summary>
    private Dhcp6Result Release(Dhcp6Message request)
    {
        var options = new List<Dhcp6Option> { Dhcp6Option.Status(new(Dhcp6StatusCode.Success, "released")) };
        var changes = new List<Dhcp6LeaseChange>();
        foreach (var ia in request.IaNas)
        {
            if (_table.Find(new(request.ClientId!, ia.Iaid)) is { } lease)
            {
                _table.Remove(AddressKey(lease));
                changes.Add(new(DhcpLeaseChangeKind.Remove, lease));
            }
            else options.Add(Dhcp6Option.IaNa(new(ia.Iaid, 0, 0, [], new(Dhcp6StatusCode.NoBinding, "no binding for this IA"))));
        }
        return Answer(request, options, changes, $"Reply (Release) [{string.Join(", ", changes.Select(c => c.Lease.Address))}] from {request.ClientId}");
    }

    /// <summary>
    /// RFC 8415 §18.3.8: a declined address is in use by someone else, so it leaves the pool for a while. Only the
    /// holder's own address can be declined, so a stray client cannot take addresses out of the pool.
    /// </summary>
    private Dhcp6Result Decline(Dhcp6Message request, DateTimeOffset now)
    {
        var options = new List<Dhcp6Option> { Dhcp6Option.Status(new(Dhcp6StatusCode.Success, "declined")) };
        var changes = new List<Dhcp6LeaseChange>();
        foreach (var ia in request.IaNas)
        {
            if (_table.Find(new(request.ClientId!, ia.Iaid)) is not { } lease)
            {
                options.Add(Dhcp6Option.IaNa(new(ia.Iaid, 0, 0, [], new(Dhcp6StatusCode.NoBinding, "no binding for this IA"))));
                continue;
            }
            if (!ia.Addresses.Any(a => a.Address.Equals(lease.Address))) continue;
            var quarantine = lease with { Expires = now + Scope.DeclineQuarantine, State = Dhcp6LeaseState.Declined };
            _table.Put(quarantine);
            changes.Add(new(DhcpLeaseChangeKind.Upsert, quarantine));
        }
        return Answer(request, options, changes, $"Reply (Decline) [{string.Join(", ", changes.Select(c => c.Lease.Address))}] from {request.ClientId}");
    }

    /// <summary>RFC 8415 §18.3.3: only whether the addresses are on this link; a Confirm without any gets no answer.</summary>
    private Dhcp6Result Confirm(Dhcp6Message request)
    {
        var addresses = request.IaNas.SelectMany(ia => ia.Addresses).Select(a => a.Address).ToList();
        if (addresses.Count == 0) return Dhcp6Result.Silent($"Confirm from {request.ClientId} without addresses");
        var onLink = addresses.All(Scope.Subnet.Contains);
        var status = onLink ? new Dhcp6Status(Dhcp6StatusCode.Success, "all addresses are on link") : new(Dhcp6StatusCode.NotOnLink, $"not all addresses are in {Scope.Subnet}");
        return Answer(request, [Dhcp6Option.Status(status)], [], $"Reply (Confirm) {status.Code} to {request.ClientId}");
    }

    private Dhcp6Result InformationRequest(Dhcp6Message request) =>
        AnswerWithConfiguration(request, [], [], $"Reply (Information-request) to {request.ClientId?.ToString() ?? "an anonymous client"}");

    /// <summary>Request, or Solicit with rapid commit: one address per IA_NA, bound now.</summary>
    private (List<Dhcp6Option> Options, List<Dhcp6LeaseChange> Changes, string Summary) Bind(Dhcp6Message request, DateTimeOffset now)
    {
        var options = new List<Dhcp6Option>();
        var changes = new List<Dhcp6LeaseChange>();
        var taken = new HashSet<UInt128>();
        foreach (var ia in request.IaNas)
        {
            var (reply, change) = BindIa(new(request.ClientId!, ia.Iaid), request.ClientHostName, ia, taken, now);
            options.Add(Dhcp6Option.IaNa(reply));
            changes.AddRange(change);
        }
        var bound = changes.Where(c => c.Kind == DhcpLeaseChangeKind.Upsert).Select(c => c.Lease.Address);
        return (options, changes, $"[{string.Join(", ", bound)}] to {request.ClientId}");
    }

    /// <summary>
    /// Binds one IA to its chosen address. Addresses the client listed that it does not get are returned with lifetimes 0
    /// (RFC 8415 §18.3.2, §18.3.4), so it stops using them at once.
    /// </summary>
    private (Dhcp6IaNa Reply, List<Dhcp6LeaseChange> Changes) BindIa(Dhcp6Binding binding, string? sentHostName, Dhcp6IaNa ia, HashSet<UInt128> taken, DateTimeOffset now)
    {
        var changes = new List<Dhcp6LeaseChange>();
        var hostName = HostNameOf(binding, sentHostName);
        if (ChooseAddress(binding, hostName, ia, taken, now) is not { } address) return (NoAddress(ia), changes);
        taken.Add(address);
        var leaseTime = LeaseTimeFor(binding.ClientId, hostName);
        var lease = new Dhcp6Lease(Address(address), binding.ClientId, binding.Iaid, ReservationOf(binding.ClientId, hostName)?.HostName ?? hostName,
            leaseTime is { } t ? now + t : null, Dhcp6LeaseState.Bound);
        if (_table.Put(lease) is { } displaced) changes.Add(new(DhcpLeaseChangeKind.Remove, displaced));
        changes.Add(new(DhcpLeaseChangeKind.Upsert, lease));
        return (Granted(ia, address, leaseTime), changes);
    }

    private static Dhcp6IaNa Granted(Dhcp6IaNa ia, UInt128 address, TimeSpan? leaseTime)
    {
        var granted = Address(address);
        var lifetime = leaseTime is { } t ? (uint)t.TotalSeconds : Dhcp6Message.Infinity;
        // RFC 8415 §21.4 recommends T1 and T2 at 0.5 and 0.8 of the preferred lifetime.
        var (t1, t2) = leaseTime is null ? (Dhcp6Message.Infinity, Dhcp6Message.Infinity) : (lifetime / 2, (uint)(lifetime * 4L / 5));
        var dropped = ia.Addresses.Where(a => !a.Address.Equals(granted)).Select(a => new Dhcp6IaAddress(a.Address, 0, 0));
        return new Dhcp6IaNa(ia.Iaid, t1, t2, [new Dhcp6IaAddress(granted, lifetime, lifetime), .. dropped]);
    }

    /// <summary>RFC 8415 §18.3.9: the IA comes back empty with NoAddrsAvail in it.</summary>
    private static Dhcp6IaNa NoAddress(Dhcp6IaNa ia) => new(ia.Iaid, 0, 0, [], new(Dhcp6StatusCode.NoAddrsAvail, "no address is free"));

    /// <summary>A Reply (or Advertise) with the server and client ids first, then <paramref name="options"/>.</summary>
    private Dhcp6Result Answer(Dhcp6Message request, List<Dhcp6Option> options, List<Dhcp6LeaseChange> changes, string summary,
        Dhcp6MessageType type = Dhcp6MessageType.Reply)
    {
        var all = new List<Dhcp6Option> { Dhcp6Option.ServerId(Scope.ServerId) };
        if (request.ClientId is { } client) all.Add(Dhcp6Option.ClientId(client));
        all.AddRange(options);
        return new Dhcp6Result(new Dhcp6Message(type, request.TransactionId, all), changes, summary);
    }

    /// <summary>
    /// An answer that configures the client, so also the DNS servers and domain list if it asked for them (RFC 3646 §3:
    /// a client that wants them asks in its ORO). Release, Decline, Confirm and UseMulticast replies carry only status.
    /// </summary>
    private Dhcp6Result AnswerWithConfiguration(Dhcp6Message request, List<Dhcp6Option> options, List<Dhcp6LeaseChange> changes, string summary,
        Dhcp6MessageType type = Dhcp6MessageType.Reply)
    {
        var all = new List<Dhcp6Option>(options);
        if (request.RequestedOptions.Contains(Dhcp6OptionCode.DnsServers) && Scope.DnsServers.Count > 0) all.Add(Dhcp6Option.DnsServers(Scope.DnsServers));
        if (request.RequestedOptions.Contains(Dhcp6OptionCode.DomainList) && Scope.DomainList.Count > 0) all.Add(Dhcp6Option.DomainList(Scope.DomainList));
        return Answer(request, all, changes, summary, type);
    }
}
