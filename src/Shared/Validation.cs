using System.Globalization;
using System.Net.Mail;
using System.Text;

namespace EventFunctions.Shared;

/// <summary>Field errors keyed by the field's name in the request (the shape of ValidationProblemDetails).</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
    }

    private readonly Dictionary<string, List<string>> _both = new(StringComparer.Ordinal);

    /// <summary>A message in both languages: the API reads its English, the console both (<see cref="ForBoth"/>).</summary>
    public void Add(string field, Text.Bilingual message)
    {
        Add(field, message.En);
        if (!_both.TryGetValue(field, out var list)) _both[field] = list = [];
        list.Add(message.Both);
    }

    public string? For(string field) => _errors.TryGetValue(field, out var list) ? list[0] : null;

    /// <summary>The field's first message in both languages where it was given so, else as given.</summary>
    public string? ForBoth(string field) => _both.TryGetValue(field, out var list) ? list[0] : For(field);

    /// <summary>Every field's first message, in both languages where given so.</summary>
    public IEnumerable<string> AllBoth() => _errors.Keys.Select(f => ForBoth(f)!);

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
}

/// <summary>Normalisation shared by every input: trim, Unicode NFC, no control characters.</summary>
public static class Input
{
    public static string? Clean(string? value)
    {
        if (value is null) return null;
        var trimmed = value.Trim();
        if (trimmed.Length == 0) return null;
        return trimmed.IsNormalized(NormalizationForm.FormC) ? trimmed : trimmed.Normalize(NormalizationForm.FormC);
    }

    /// <summary>Control characters other than line breaks and tabs (allowed only in multi-line text).</summary>
    public static bool HasControlCharacters(string value, bool multiline = false) =>
        value.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t'));

    /// <summary>Length in characters as people count them (a CJK character or an emoji is one).</summary>
    public static int Length(string value) => new StringInfo(value).LengthInTextElements;

    /// <summary>A normalised email address (lower case), or null when it is not one a mail server would take.</summary>
    /// <summary>
    /// The address as stored and sent to, or null when it is not one. An internationalised domain (例子.中国) is
    /// turned into its ASCII form (xn--…), which every mail server accepts; a local part in other than ASCII is
    /// refused (<see cref="HasNonAsciiLocalPart"/>): it cannot be delivered without SMTPUTF8, which the sender lacks.
    /// </summary>
    public static string? NormaliseEmail(string? value)
    {
        var email = Clean(value);
        if (email is null || email.Length > 254 || email.Any(char.IsWhiteSpace) || HasControlCharacters(email)) return null;
        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1) return null;
        if (HasNonAsciiLocalPart(email)) return null;
        var domain = email[(at + 1)..];
        if (!domain.All(char.IsAscii))
        {
            try
            {
                domain = new IdnMapping().GetAscii(domain.Replace('。', '.').Replace('．', '.'));
            }
            catch (ArgumentException)
            {
                return null; // not a domain name IDNA can spell
            }

            email = email[..(at + 1)] + domain;
        }
        if (!domain.Contains('.') || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..")) return null;
        if (!MailAddress.TryCreate(email, out var parsed) || parsed.Address != email) return null;
        return email.ToLowerInvariant();
    }

    /// <summary>
    /// The mailbox a normalised address reaches, for telling people apart: a <c>+tag</c> is dropped
    /// (<c>wang+1@example.cn</c> and <c>wang+2@example.cn</c> are one inbox at every provider that supports tags).
    /// Only for keys and limits; the email itself goes to the address as typed.
    /// </summary>
    public static string MailboxIdentity(string normalisedEmail)
    {
        var at = normalisedEmail.LastIndexOf('@');
        var plus = normalisedEmail.IndexOf('+');
        return plus > 0 && plus < at ? normalisedEmail[..plus] + normalisedEmail[at..] : normalisedEmail;
    }

    /// <summary>Whether the part before the @ has characters outside ASCII (用户@…): undeliverable without SMTPUTF8.</summary>
    public static bool HasNonAsciiLocalPart(string? value)
    {
        var email = Clean(value);
        var at = email?.LastIndexOf('@') ?? -1;
        return at > 0 && !email![..at].All(char.IsAscii);
    }
}
