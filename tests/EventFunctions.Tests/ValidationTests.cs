using EventFunctions.Shared;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Text;

namespace EventFunctions.Tests;

public sealed class ValidationTests
{
    [Theory]
    [InlineData("13812345678", "+8613812345678")]
    [InlineData("138 1234 5678", "+8613812345678")]
    [InlineData("+86 138-1234-5678", "+8613812345678")]
    [InlineData("+852 9123 4567", "+85291234567")]
    [InlineData("12345", null)]
    [InlineData("1381234567", null)]
    [InlineData("021-63211234", null)]
    [InlineData("abc", null)]
    public void Phones_are_normalised_to_E164_mobiles(string raw, string? expected) =>
        Assert.Equal(expected, SignUpValidator.NormalisePhone(raw));

    [Theory]
    [InlineData(" Li.YingHui@Example.COM ", "li.yinghui@example.com")]
    [InlineData("wang+events@jiedao.example.cn", "wang+events@jiedao.example.cn")]
    [InlineData("a@b", null)]
    [InlineData("a@@b.cn", null)]
    [InlineData("a b@c.cn", null)]
    [InlineData("王磊@例子.中国", null)] // another script before the @: undeliverable without SMTPUTF8
    [InlineData("Wang@例子.中国", "wang@xn--fsqu00a.xn--fiqs8s")] // an internationalised domain, in its ASCII form
    [InlineData("wang@例子。中国", "wang@xn--fsqu00a.xn--fiqs8s")] // typed with a full-width full stop
    public void Emails_are_trimmed_lower_cased_and_checked(string raw, string? expected) =>
        Assert.Equal(expected, Input.NormaliseEmail(raw));

    [Fact]
    public void Text_is_normalised_to_NFC_and_counted_in_characters_people_see()
    {
        var decomposed = "Ame\u0301lie"; // e + combining acute
        Assert.Equal("Am\u00e9lie", Input.Clean("  " + decomposed + " "));
        Assert.Equal(2, Input.Length("王磊"));
    }

    [Theory]
    [InlineData(null, null, "zh-CN")]
    [InlineData(null, "en-US,en;q=0.9", "en")]
    [InlineData(null, "zh-TW,en;q=0.8", "zh-CN")]
    [InlineData("en", "zh-CN", "en")]
    [InlineData(null, "fr-FR", "zh-CN")]
    public void Language_is_the_explicit_choice_then_the_browser_then_Chinese(string? choice, string? accept, string expected) =>
        Assert.Equal(expected, UiText.Pick(choice, accept).Code);

    [Fact]
    public void Masked_email_shows_only_enough_to_recognise_it() =>
        Assert.Equal("li***@example.com", Privacy.MaskEmail("liyinghui@example.com"));
}
