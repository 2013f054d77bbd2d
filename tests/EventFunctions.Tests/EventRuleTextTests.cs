using EventFunctions.Shared.Events;

namespace EventFunctions.Tests;

/// <summary>Every message the event rules give reaches the console in both languages, from the typed texts (no matching of English words).</summary>
[Trait("Tier", "Fast")]
public sealed class EventRuleTextTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 2, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Every_refusal_of_an_event_definition_has_its_Chinese_beside_its_English(EventInput input)
    {
        var (ev, errors) = EventValidator.Validate(input, "k7m2qxabcd", Now);
        Assert.Null(ev);
        var fields = errors.ToDictionary();
        Assert.NotEmpty(fields);
        foreach (var (field, messages) in fields)
        {
            var both = errors.ForBoth(field)!;
            Assert.Contains(" · " + messages[0], both); // the API's English, after the Chinese
            Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", both.Split(" · ")[0]);
        }
    }

    public static TheoryData<EventInput> Inputs() => new()
    {
        new EventInput(), // every required field missing
        new EventInput { Kind = "salon", Title = new string('长', 201), Start = "2026-12-20T14:00", End = "2026-12-20T13:00", Capacity = 0, OrganiserName = "x", OrganiserEmail = "not-an-email", TimeZone = "Mars/Olympus" },
        new EventInput { Kind = "siteVisit", Title = "5G", Start = "2026-12-20T14:00", End = "2026-12-20T16:00", Capacity = 10, OrganiserName = "x", OrganiserEmail = "a@b.cn",
            SiteVisit = new SiteVisitInput("门口", "2026-12-20T15:00", ["1", "2", "3", "4", "5", "6"]), ReminderHoursBefore = -1 },
        new EventInput { Kind = "lecture", Title = "讲座", Start = "2026-12-20T14:00+15:00", End = "tomorrow", Capacity = 10, OrganiserName = "x", OrganiserEmail = "a@b.cn",
            Lecture = new LectureDetails(null, "ftp://x"), Questions = [new QuestionInput("bad id!", "问", "choice", ["a", "a"], false), new QuestionInput(null, "问", "dance", null, false)] },
    };
}

/// <summary>Times say which clock they are on: always in English, in Chinese when the event is not on China's clock.</summary>
[Trait("Tier", "Fast")]
public sealed class TimeZoneLabelTests
{
    private static readonly DateTimeOffset Local = new(2026, 12, 12, 9, 30, 0, TimeSpan.FromHours(8));

    [Fact]
    public void English_says_Shanghai_time_and_Chinese_says_nothing_for_an_event_in_Shanghai()
    {
        Assert.EndsWith("09:30–11:00 (Shanghai time)", EventFunctions.Shared.Text.UiText.English.FormatRange(Local, Local.AddHours(1.5), "Asia/Shanghai"));
        Assert.EndsWith("09:30 (Shanghai time)", EventFunctions.Shared.Text.UiText.English.FormatDateTimeIn(Local, "Asia/Shanghai"));
        Assert.EndsWith("09:30–11:00", EventFunctions.Shared.Text.UiText.Chinese.FormatRange(Local, Local.AddHours(1.5), "Asia/Shanghai"));
    }

    [Fact]
    public void An_event_elsewhere_names_its_own_clock_in_both_languages()
    {
        Assert.EndsWith("(Hong Kong time)", EventFunctions.Shared.Text.UiText.English.FormatDateTimeIn(Local, "Asia/Hong_Kong"));
        Assert.EndsWith("（当地时间，Asia/Hong_Kong）", EventFunctions.Shared.Text.UiText.Chinese.FormatDateTimeIn(Local, "Asia/Hong_Kong"));
    }
}
