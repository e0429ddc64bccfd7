using System.Net;
using System.Net.Sockets;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Engine;

/// <summary>How a changed property reaches a network: at once, at its next start, or only by defining it anew.</summary>
public enum ChangeCost
{
    /// <summary>Applied to the running network without disturbing it (or the network is not running).</summary>
    Live,
    /// <summary>Stored now; the running network takes it when restarted.</summary>
    Restart,
    /// <summary>Cannot be changed on an existing definition (e.g. the mode): remove and define again.</summary>
    Redefine,
}

/// <summary>One property whose current value differs from the wanted one, and what changing it costs.</summary>
public sealed record PropertyDifference(string Network, string Property, object? Current, object? Desired, ChangeCost Cost);

/// <summary>
/// Set-VNetwork's edits to a stored definition (virsh net-autostart, net-update of the common settings).
/// Null members are left as they are. Pure: <see cref="Check"/>, <see cref="ApplyTo"/> and <see cref="Differences"/>
/// are what the catalog (and a desired-state plan) use.
/// </summary>
public sealed record NetworkChange
{
    /// <summary>0 removes the MTU setting (the kernel default applies).</summary>
    public int? Mtu { get; init; }
    /// <summary>An empty string removes the domain.</summary>
    public string? Domain { get; init; }
    public bool? Stp { get; init; }
    /// <summary>Replaces the ranges of the DHCP block of the range's address family.</summary>
    public (IPAddress Start, IPAddress End)? DhcpRange { get; init; }
    public bool? Autostart { get; init; }

    public const string MtuProperty = "Mtu";
    public const string DomainProperty = "Domain";
    public const string StpProperty = "Stp";
    public const string DhcpRangeProperty = "DhcpRange";
    public const string AutostartProperty = "Autostart";

    /// <summary>The problems of the change itself, before any definition is read.</summary>
    public IReadOnlyList<NetworkProblem> Check(string network)
    {
        var problems = new List<NetworkProblem>();
        if (Mtu is < 0 or > 65535 or (> 0 and < 68))
            problems.Add(new NetworkProblem(ErrorIds.MtuInvalid, ProblemCategory.InvalidArgument,
                Mtu is > 0 and < 68 ? $"MTU {Mtu} is below IPv4's minimum of 68. Give 68 to 65535, or 0 to remove the setting."
                    : $"MTU {Mtu} is not a link MTU. Give 68 to 65535, or 0 to remove the setting.", network));
        if (DhcpRange is { } range && range.Start.AddressFamily != range.End.AddressFamily)
            problems.Add(new NetworkProblem(ErrorIds.DhcpRangeInvalid, ProblemCategory.InvalidArgument,
                $"DHCP range {range.Start}-{range.End} mixes IPv4 and IPv6. Give two addresses of one family.", network));
        return problems;
    }

    /// <summary>Applies the definition's part of the change; the catalog validates the result before storing it.</summary>
    public void ApplyTo(NetworkDefinition definition)
    {
        if (Mtu is { } mtu) definition.Mtu = mtu == 0 ? null : mtu;
        if (Domain is { } domain) definition.Domain = domain.Length == 0 ? null : new DomainDefinition { Name = domain };
        if (Stp is { } stp) (definition.Bridge ??= new BridgeDefinition()).Stp = stp;
        if (DhcpRange is { } range) SetDhcpRange(definition, range.Start, range.End);
    }

    /// <summary>
    /// What the change would change in <paramref name="current"/>: one entry per property whose value differs.
    /// <paramref name="active"/>: whether the network runs, so that a property applied at start costs a restart.
    /// </summary>
    public IReadOnlyList<PropertyDifference> Differences(NetworkDefinition current, bool currentAutostart, bool active)
    {
        var differences = new List<PropertyDifference>();
        var atStart = active ? ChangeCost.Restart : ChangeCost.Live;
        void Compare(string property, object? now, object? wanted, ChangeCost cost)
        {
            if (!Equals(now, wanted)) differences.Add(new PropertyDifference(current.Name, property, now, wanted, cost));
        }
        if (Mtu is { } mtu) Compare(MtuProperty, current.Mtu ?? 0, mtu, atStart);
        if (Domain is { } domain) Compare(DomainProperty, current.Domain?.Name ?? "", domain, atStart);
        if (Stp is { } stp) Compare(StpProperty, StpOf(current), stp, atStart);
        if (DhcpRange is { } range)
        {
            var block = DhcpBlock(current, range.Start.AddressFamily);
            var ranges = block?.Dhcp?.Ranges.Select(r => $"{r.Start}-{r.End}") ?? [];
            Compare(DhcpRangeProperty, string.Join(", ", ranges), $"{range.Start}-{range.End}", atStart);
        }
        if (Autostart is { } autostart) Compare(AutostartProperty, currentAutostart, autostart, ChangeCost.Live);
        return differences;
    }

    /// <summary>libvirt's default for a bridge it creates: STP on.</summary>
    public static bool StpOf(NetworkDefinition definition) => definition.Bridge?.Stp ?? true;

    /// <summary>The &lt;ip&gt; of the family that has DHCP, else the first of that family (libvirt's choice for net-update).</summary>
    private static IpDefinition? DhcpBlock(NetworkDefinition definition, AddressFamily family) =>
        definition.Ips.FirstOrDefault(i => i.Dhcp is not null && i.Address.AddressFamily == family)
        ?? definition.Ips.FirstOrDefault(i => i.Address.AddressFamily == family);

    private static void SetDhcpRange(NetworkDefinition definition, IPAddress start, IPAddress end)
    {
        var ip = DhcpBlock(definition, start.AddressFamily)
                 ?? throw new NetworkProblemException(ErrorIds.DhcpRangeInvalid, ProblemCategory.InvalidArgument,
                     $"Network '{definition.Name}' has no {(start.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address for a DHCP range {start}-{end}. Give a range inside one of its subnets.",
                     definition.Name);
        ip.Dhcp ??= new DhcpDefinition();
        ip.Dhcp.Ranges.Clear();
        ip.Dhcp.Ranges.Add(new DhcpRangeDefinition { Start = start, End = end });
    }
}
