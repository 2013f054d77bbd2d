namespace EventFunctions.Shared.Web;

/// <summary>
/// A shared page's link preview (Open Graph tags: what WeChat, DingTalk and other chat apps read to draw a card):
/// absolute addresses, a description a person can read in the card, the site's card image.
/// </summary>
public sealed record LinkCard(string SiteName, string Title, string Description, string Url, string Image)
{
    public const int ImageWidth = 1200;
    public const int ImageHeight = 630;
    public const int DescriptionLength = 120;

    /// <summary>The description shortened for a card (whole characters, an ellipsis when cut), on one line.</summary>
    public static string Shorten(string? text)
    {
        var flat = string.Join(' ', (text ?? "").Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        var info = new System.Globalization.StringInfo(flat);
        return info.LengthInTextElements <= DescriptionLength ? flat : info.SubstringByTextElements(0, DescriptionLength - 1) + "…";
    }

    /// <summary>The card image (embedded in the app, served at <see cref="Http.Routes.CalendarCard"/>).</summary>
    public static byte[] ImageBytes() => CardImage.Value;

    private static readonly Lazy<byte[]> CardImage = new(() =>
    {
        using var stream = typeof(LinkCard).Assembly.GetManifestResourceStream("EventFunctions.Shared.Web.link-card.png")
            ?? throw new InvalidOperationException("link-card.png is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });
}
