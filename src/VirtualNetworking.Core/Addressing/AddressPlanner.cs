using System.Net;

namespace VirtualNetworking.Core.Addressing;

/// <summary>Picks free subnets and bridge names. Pure: the caller says what is taken.</summary>
public static class AddressPlanner
{
    public const string DefaultBridgeTemplate = "virbr%d";
    /// <summary>libvirt's limit for bridge-name generation.</summary>
    public const int MaxBridgeId = 256;

    /// <summary>
    /// The candidates, in order: 192.168.122.0/24 up to 192.168.255.0/24 (libvirt's habit and the
    /// seed's subnet first), then 10.0.0.0/24 upward through 10.255.255.0/24.
    /// </summary>
    public static IEnumerable<IpNetwork> CandidateSubnets()
    {
        for (var third = 122; third <= 255; third++)
            yield return new IpNetwork(new IPAddress(new byte[] { 192, 168, (byte)third, 0 }), 24);
        for (var second = 0; second <= 255; second++)
            for (var third = 0; third <= 255; third++)
                yield return new IpNetwork(new IPAddress(new byte[] { 10, (byte)second, (byte)third, 0 }), 24);
    }

    /// <summary>The first candidate /24 that overlaps none of <paramref name="taken"/>; null when all are taken.</summary>
    public static IpNetwork? FirstFreeSubnet(IReadOnlyCollection<IpNetwork> taken) =>
        CandidateSubnets().Cast<IpNetwork?>().FirstOrDefault(c => !taken.Any(t => t.Overlaps(c!.Value)));

    /// <summary>Expands a name template with a single %d to the lowest id (up to <paramref name="maxId"/>) not in <paramref name="used"/>.</summary>
    public static string? AllocateInterfaceName(string template, ISet<string> used, int maxId = MaxBridgeId)
    {
        for (var id = 0; id <= maxId; id++)
        {
            var candidate = template.Replace("%d", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!used.Contains(candidate)) return candidate;
        }
        return null;
    }

    public static bool IsTemplate(string name) => name.Split("%d").Length == 2;
}
