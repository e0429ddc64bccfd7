using System.Net;
using System.Net.Sockets;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Live;

/// <summary>One record a network's DNS answers itself (Get-VNetworkDnsRecord).</summary>
public sealed record NetworkDnsRecord(string Network, DnsZoneRecord Record, uint Ttl);

/// <summary>What a network's DNS server said to one question (Resolve-VNetworkName).</summary>
public sealed record NetworkNameLookup(
    string Network, IPEndPoint Server, DnsTransport Transport, DnsQuestion Question, DnsResponseCode ResponseCode,
    IReadOnlyList<DnsReplyRecord> Records, NetworkProblem? Problem);

/// <summary>
/// A network's DNS as its guests see it: the records it answers from its definition and leases, and a question put to
/// its server on the bridge address, port 53, as a guest's resolver puts it.
/// </summary>
/// <param name="localTtl">The TTL the daemon gives local answers (<see cref="DnsServerOptions.LocalTtlVariable"/>), shown with each record.</param>
public sealed class NetworkDns(EnginePorts ports, NetworkCatalog catalog, IDnsQueryClient client, uint localTtl = 0)
{
    /// <summary>The networks a listing without -Network covers: the active ones.</summary>
    public IReadOnlyList<string> ActiveNetworks() => catalog.ActiveNames();

    /// <summary>
    /// The records the network answers itself at <paramref name="now"/>, as its server builds them (<see cref="DnsZone.Build"/>
    /// over its live definition and its DHCP and DHCPv6 leases), with the TTL it gives them; null when the network serves no
    /// DNS. Throws VNetworkNotFound, VNetworkNotActive.
    /// </summary>
    public IReadOnlyList<NetworkDnsRecord>? Records(string network, DateTimeOffset now)
    {
        var definition = ActiveDefinition(network);
        if (DnsPolicy.FromNetwork(definition) is null) return null;
        return DnsZone.Build(definition, ports.Dhcp.ReadLeases(network), ports.Dhcp.ReadLeases6(network), now).Records
            .Select(r => new NetworkDnsRecord(network, r, localTtl)).ToList();
    }

    /// <summary>
    /// Asks the network's DNS server (its first IPv4 address, else its first address, port 53) about <paramref name="name"/>:
    /// over <paramref name="transport"/>, again over TCP when a UDP reply comes truncated. The lookup's problem is set when
    /// the server answered with an error (NXDOMAIN: VNetworkDnsNameNotFound; others: VNetworkDnsQueryFailed). Throws
    /// VNetworkNotFound, VNetworkNotActive, VNetworkDnsDisabled, VNetworkDnsNameInvalid, VNetworkDnsNoResponse, and
    /// VNetworkDnsQueryFailed for a reply that is not one.
    /// </summary>
    public NetworkNameLookup Resolve(string network, string name, DnsType? type, DnsTransport transport, TimeSpan timeout)
    {
        var definition = ActiveDefinition(network);
        if (DnsPolicy.FromNetwork(definition) is not { } policy)
            throw new NetworkProblemException(ErrorIds.DnsDisabled, ProblemCategory.InvalidOperation,
                $"Network '{network}' serves no DNS: it has <dns enable='no'>, no address, or a mode whose DNS is not ours (bridged, macvtap). Ask the DNS server its guests use instead, or enable DNS (Set-VNetwork, or redefine the network).",
                network);
        var question = DnsLookup.Question(name, type);
        var server = new IPEndPoint(policy.OwnAddresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? policy.OwnAddresses[0], DnsPolicy.DnsPort);

        var reply = Exchange(network, server, question, transport, timeout);
        if (reply.Truncated && transport == DnsTransport.Udp)
        {
            transport = DnsTransport.Tcp;
            reply = Exchange(network, server, question, transport, timeout);
        }
        var problem = reply.ResponseCode switch
        {
            DnsResponseCode.NoError => null,
            DnsResponseCode.NXDomain => new NetworkProblem(ErrorIds.DnsNameNotFound, ProblemCategory.ObjectNotFound,
                $"Network '{network}' answers that '{question.Name}' does not exist (NXDOMAIN from {server}). Check the name: a guest's name exists while its lease lasts (Get-VNetworkDnsRecord lists them).",
                name),
            var code => new NetworkProblem(ErrorIds.DnsQueryFailed, ProblemCategory.ResourceUnavailable,
                $"Network '{network}' could not answer '{question.Name}' {question.Type}: its DNS server ({server}) replied {code}. {Advice(code)}",
                name),
        };
        return new NetworkNameLookup(network, server, transport, question, reply.ResponseCode, DnsLookup.Records(reply), problem);
    }

    private Model.NetworkDefinition ActiveDefinition(string network)
    {
        var record = catalog.Get(network);
        if (record.State != NetworkState.Active) throw NetworkRuntime.NotActive(network);
        return record.Definition;
    }

    private DnsMessage Exchange(string network, IPEndPoint server, DnsQuestion question, DnsTransport transport, TimeSpan timeout)
    {
        Span<byte> random = stackalloc byte[2];
        ports.Random.Fill(random);
        var id = (ushort)(random[0] << 8 | random[1]);
        var bytes = client.Exchange(server, DnsLookup.Query(question, id), transport, timeout)
            ?? throw new NetworkProblemException(ErrorIds.DnsNoResponse, ProblemCategory.ResourceUnavailable,
                $"No DNS answer from network '{network}' ({server}, {transport.ToString().ToUpperInvariant()}) within {timeout.TotalSeconds:0.#} s, or nothing listens there. Is the daemon serving DNS on this network? Restart-VNetwork {network} restarts its services; a longer -TimeoutSec helps on a busy host.",
                network);
        return DnsLookup.ReadReply(bytes, id, question, out var problem)
            ?? throw new NetworkProblemException(ErrorIds.DnsQueryFailed, ProblemCategory.InvalidData,
                $"Network '{network}''s DNS server ({server}) sent a reply that does not answer the query: {problem}. Something else may be listening on that address's port 53.",
                network);
    }

    private static string Advice(DnsResponseCode code) => code switch
    {
        DnsResponseCode.Refused => "An isolated network, or one without upstream servers, refuses names it does not hold itself.",
        DnsResponseCode.ServFail => "Its upstream servers failed or did not answer: check the host's resolvers or the network's <forwarder>s.",
        _ => "Try another type (-Type) or name.",
    };
}
