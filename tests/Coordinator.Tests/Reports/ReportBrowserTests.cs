using System.Net;
using System.Text.RegularExpressions;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using SkiaSharp;
using Spectre.Console.Testing;
using Steerability.Coordinator.Sweeps;

namespace Steerability.Coordinator.Tests.Reports;

/// <summary>
/// The report of a real, tiny sweep shaped like the quickstart (same models, transforms, walks and regimes; budgets of a
/// few steps) opened from disk in headless Chromium: every figure and image loads, every figure the issue lists is there,
/// and the page is not blank. Chromium and chromedriver come from Debian's chromium and chromium-driver packages, which
/// ./setup.sh and .ci/run install.
/// </summary>
public sealed class ReportBrowserTests : IDisposable
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const string DriverFolder = "/usr/bin";
    private const string DriverName = "chromedriver";

    private readonly string _folder = Directory.CreateTempSubdirectory("steer-browser-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TinyQuickstartSweepReportLoadsEveryFigureInChromium()
    {
        Assert.True(File.Exists(ChromiumPath) && File.Exists(Path.Combine(DriverFolder, DriverName)),
            $"{ChromiumPath} and {DriverFolder}/{DriverName} are needed: run ./setup.sh, or apt-get install chromium chromium-driver");
        var quickstart = SweepSpecParser.ParseFile(Path.Combine(Sweeps.SweepSpecParserTests.RepoRoot(), "experiments", "quickstart.yaml"));
        var spec = Path.Combine(_folder, "tiny.yaml");
        File.WriteAllText(spec, $"""
            sweep: tiny
            models: [{string.Join(", ", quickstart.Models)}]
            transforms: [{string.Join(", ", quickstart.Transforms)}]
            walks: [{string.Join(", ", quickstart.Walks)}]
            regimes: [{string.Join(", ", quickstart.Regimes)}]
            seeds: [0]
            budget:
              generator: {"{"}steps: 20, batch: 16{"}"}
              walk: {"{"}steps: 4, batch: 8, eval_latents: 4{"}"}
            device: cpu
            """);
        var console = new TestConsole();
        console.Profile.Width = 400;

        var code = SteerApp.Run(["run", spec, "--out", _folder], console);

        Assert.True(code == 0, console.Output);
        var printed = Regex.Match(console.Output, @"report: (\S+index\.html)");
        Assert.True(printed.Success, "steer run prints the report's path: " + console.Output);
        var index = printed.Groups[1].Value;
        Assert.True(File.Exists(index));
        var html = WebUtility.HtmlDecode(File.ReadAllText(index));
        var walkCount = quickstart.Walks.Count;
        foreach (var transform in quickstart.Transforms)
        {
            Assert.Contains($"<h2>{transform}</h2>", html);
            Assert.Contains($"alt=\"masked L2 vs α for {transform}\"", html);
            Assert.Equal(walkCount, Regex.Matches(html, $"<h3>{transform} / [a-z]+ \\(plain\\): [a-z_]+ of G\\(z \\+ αw\\) vs α</h3>").Count);
            Assert.Equal(walkCount, Regex.Matches(html, $"<h3>{transform} / [a-z]+: dataset spread vs model spread</h3>").Count);
            Assert.Equal(walkCount, Regex.Matches(html, $"<h3>Walk strip: {transform} / [a-z]+ \\(plain\\)</h3>").Count);
        }
        Assert.Contains("<ul id=\"findings\">", html);
        Assert.Contains("<table id=\"trials\">", html);
        var expectedImages = Regex.Matches(html, "<img ").Count;
        // Per transform: the L2 plot, then per walk an attribute plot, a variability scatter and a strip.
        Assert.Equal(quickstart.Transforms.Count * (1 + 3 * walkCount), expectedImages);

        var (loaded, broken, screenshot) = OpenInChromium(index);

        Assert.Empty(broken);
        Assert.Equal(expectedImages, loaded);
        AssertNotBlank(screenshot);
    }

    [Fact]
    public void ABrokenImageIsCaught()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is needed: run ./setup.sh, or apt-get install chromium chromium-driver");
        var page = Path.Combine(_folder, "page.html");
        File.WriteAllText(page, "<!DOCTYPE html><html><body><p>text</p><img src=\"missing.png\" alt=\"gone\"></body></html>");

        var (loaded, broken, _) = OpenInChromium(page);

        Assert.Equal(0, loaded);
        Assert.Equal(["missing.png"], broken);
    }

    private static (int Loaded, List<string> Broken, byte[] Screenshot) OpenInChromium(string index)
    {
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-dev-shm-usage", "--window-size=1280,1600");
        using var service = ChromeDriverService.CreateDefaultService(DriverFolder, DriverName);
        service.SuppressInitialDiagnosticInformation = true;
        using var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        driver.Navigate().GoToUrl(new Uri(index).AbsoluteUri);
        var scripts = (IJavaScriptExecutor)driver;
        // Wait for every image to finish (loaded or failed) before judging them.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(bool)scripts.ExecuteScript("return Array.from(document.images).every(i => i.complete);")! && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }
        var broken = ((IReadOnlyCollection<object>)scripts.ExecuteScript(
                "return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));")!)
            .Select(o => o.ToString() ?? "").ToList();
        var loaded = Convert.ToInt32(scripts.ExecuteScript("return Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length;"));
        var screenshot = ((ITakesScreenshot)driver).GetScreenshot().AsByteArray;
        return (loaded, broken, screenshot);
    }

    // Not blank: the page shows text and plots, so many pixels differ from the background and colours are many.
    private static void AssertNotBlank(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        var background = bitmap.GetPixel(0, 0);
        var colours = new HashSet<SKColor>();
        var differing = 0;
        for (var y = 0; y < bitmap.Height; y += 2)
        {
            for (var x = 0; x < bitmap.Width; x += 2)
            {
                var pixel = bitmap.GetPixel(x, y);
                colours.Add(pixel);
                differing += pixel == background ? 0 : 1;
            }
        }
        var sampled = (bitmap.Width / 2) * (bitmap.Height / 2);
        Assert.True(differing > sampled / 50, $"only {differing} of {sampled} sampled pixels differ from the background");
        Assert.True(colours.Count > 50, $"only {colours.Count} colours on the page");
    }
}
