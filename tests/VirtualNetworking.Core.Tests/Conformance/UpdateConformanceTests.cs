using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Conformance;

/// <summary>
/// libvirt's networkxml2xmlupdatetest: parse the base (no validation, so no MAC is added), apply the update
/// with parentIndex 0 (libvirt's effective value in every case), format, compare; "fail" cases must be refused.
/// </summary>
public sealed class UpdateConformanceTests
{
    public static TheoryData<string> UpdateCases => ConformanceData.CaseNames("update");

    [SkippableTheory]
    [MemberData(nameof(UpdateCases))]
    public void UpdateMatchesLibvirt(string caseName)
    {
        var testCase = ConformanceData.Require("update", caseName);
        var definition = NetworkXml.Parse(ConformanceData.ReadText(testCase.Columns[3]));
        var (section, command) = (testCase.Columns[4].Split('/')[0], testCase.Columns[4].Split('/')[1]);
        var snippet = ConformanceData.ReadText(testCase.Columns[5]);
        if (testCase.Result == "fail")
        {
            var before = NetworkXml.Format(definition);
            Assert.Throws<NetworkProblemException>(() => NetworkUpdate.Apply(definition, section, command, snippet, parentIndex: 0));
            Assert.Equal(before, NetworkXml.Format(definition));
            return;
        }
        NetworkUpdate.Apply(definition, section, command, snippet, parentIndex: 0);
        Assert.Equal(XmlConformanceTests.Normalize(ConformanceData.ReadText(testCase.Columns[6])),
            XmlConformanceTests.Normalize(NetworkXml.Format(definition)));
    }
}
