using System.Reflection;
using System.Text.RegularExpressions;
using EventFunctions.Shared.Storage;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>The operator's guide stays true where a test can tell: every setting documented, every link resolving.</summary>
public sealed partial class DocsTests
{
    private static string Docs => Path.Combine(RepoRoot.Find(), "docs");

    /// <summary>Every settable option, as the app setting an operator types (EventFunctions__Email__FromAddress…).</summary>
    private static IEnumerable<string> SettingNames(Type type, string prefix)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            if (p.PropertyType == typeof(EmailOptions) || p.PropertyType == typeof(ConsoleOptions))
            {
                foreach (var inner in SettingNames(p.PropertyType, prefix + p.Name + "__")) yield return inner;
                continue;
            }

            yield return prefix + p.Name;
        }
    }

    [Fact]
    public void Every_setting_is_in_the_settings_page()
    {
        var page = File.ReadAllText(Path.Combine(Docs, "settings.md"));
        var missing = SettingNames(typeof(EventFunctionsOptions), "EventFunctions__")
            .Where(name => !page.Contains(name, StringComparison.Ordinal) && !(name == "EventFunctions__SigningKeys" && page.Contains("EventFunctions__SigningKeys__{id}", StringComparison.Ordinal)))
            .ToList();
        Assert.True(missing.Count == 0, "not in docs/settings.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_relative_link_in_the_docs_and_the_readme_resolves()
    {
        var root = RepoRoot.Find();
        var files = Directory.GetFiles(Docs, "*.md").Append(Path.Combine(root, "README.md"));
        foreach (var file in files)
        {
            foreach (Match m in Link().Matches(File.ReadAllText(file)))
            {
                var target = m.Groups[1].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal)) continue;
                Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(file)!, target)), $"{Path.GetFileName(file)} links to {target}, which does not exist");
            }
        }
    }

    [Fact]
    public void The_secrets_the_guide_names_are_the_ones_the_template_creates()
    {
        var keys = File.ReadAllText(Path.Combine(Docs, "keys.md"));
        var bicep = File.ReadAllText(Path.Combine(RepoRoot.Find(), "infra", "app", "resources.bicep"));
        var secrets = SecretName().Matches(bicep);
        Assert.Equal(3, secrets.Count);
        foreach (Match m in secrets)
            Assert.Contains($"`{m.Groups[1].Value}`", keys);
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"vaults/secrets@[^']+' = \{\s*parent: vault\s*name: '([^']+)'")]
    private static partial Regex SecretName();
}
