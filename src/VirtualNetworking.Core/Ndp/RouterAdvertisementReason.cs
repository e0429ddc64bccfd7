namespace VirtualNetworking.Core.Ndp;

/// <summary>Why an RA goes out (for the log and tests).</summary>
public enum RouterAdvertisementReason
{
    /// <summary>One of the first RAs after the bridge started advertising (RFC 4861 §6.2.4).</summary>
    Initial,
    /// <summary>The periodic unsolicited RA.</summary>
    Periodic,
    /// <summary>The answer to one or more router solicitations (RFC 4861 §6.2.6).</summary>
    Solicited,
    /// <summary>The last RA, router lifetime 0, when the network stops (RFC 4861 §6.2.5).</summary>
    Final,
}
