using System.Net;
using System.Text.RegularExpressions;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using SkiaSharp;
using Spectre.Console.Testing;
using Steerability.Coordinator.Reports;
using Steerability.GpuNode.Results;

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
    public void TinySweepReportShowsEveryPaperFigureAndTheExplorerFollowsTheSliderInChromium()
    {
        Assert.True(File.Exists(ChromiumPath) && File.Exists(Path.Combine(DriverFolder, DriverName)),
            $"{ChromiumPath} and {DriverFolder}/{DriverName} are needed: run ./setup.sh, or apt-get install chromium chromium-driver");
        // A real sweep as small as gives every figure: one transform, both walks, two regimes (remedies and the
        // explorer's side-by-side regimes need more than one); budgets of a few steps.
        string[] walks = ["linear", "nonlinear"];
        string[] regimes = ["plain", "augmented"];
        const string transform = "shiftx";
        var spec = Path.Combine(_folder, "tiny.yaml");
        File.WriteAllText(spec, $$"""
            sweep: tiny
            models: [shapes]
            transforms: [{{transform}}]
            walks: [{{string.Join(", ", walks)}}]
            regimes: [{{string.Join(", ", regimes)}}]
            seeds: [0]
            budget:
              generator: {steps: 20, batch: 16}
              walk: {steps: 4, batch: 8, eval_latents: 4}
            device: cpu
            """);
        var console = new TestConsole();
        console.Profile.Width = 400;

        var code = SteerApp.Run(["run", spec, "--out", _folder], console);

        Assert.True(code == 0, console.Output);
        var printed = Regex.Match(console.Output, @"report: (\S+index\.html)");
        Assert.True(printed.Success, "steer run prints the report's path: " + console.Output);
        var index = printed.Groups[1].Value;
        var html = WebUtility.HtmlDecode(File.ReadAllText(index));
        // Every figure of the paper, once per walk (and regime) that has the tables behind it.
        var walkRuns = walks.Length * regimes.Length;
        Assert.Single(Regex.Matches(html, "data-figure=\"l2\""));
        Assert.Equal(walkRuns, Regex.Matches(html, "data-figure=\"distribution\"").Count);
        Assert.Equal(walkRuns, Regex.Matches(html, "data-figure=\"variability\"").Count);
        Assert.Equal(walks.Length, Regex.Matches(html, "data-figure=\"remedies\"").Count);
        Assert.Contains("<table id=\"provenance\">", html);
        Assert.Contains("<th>runner</th><td>walk</td>", html);
        Assert.DoesNotContain("id=\"banner\"", html);

        using var driver = OpenChromium(index);
        var scripts = (IJavaScriptExecutor)driver;
        var (loaded, broken) = WaitForImages(scripts);
        Assert.Empty(broken);
        Assert.Equal(Regex.Matches(html, "<img ").Count, loaded);
        foreach (var kind in new[] { "l2", "distribution", "variability", "remedies" })
        {
            var shown = Convert.ToInt32(scripts.ExecuteScript(
                $"return Array.from(document.querySelectorAll('figure[data-figure=\"{kind}\"] img')).filter(i => i.naturalWidth > 0 && i.getBoundingClientRect().width > 0).length;"));
            Assert.True(shown > 0, $"no {kind} figure is shown");
        }
        var page = Screenshot(driver, "report-page.png");
        AssertNotBlank(page);

        // The explorer: pick the linear walk and a class, then step α with the arrow key and with the slider.
        var sweep = Path.GetDirectoryName(Path.GetDirectoryName(index)!)!;
        var manifests = regimes.ToDictionary(r => r, r => ReadManifest(sweep, transform, "linear", r));
        var manifest = manifests["plain"];
        var explorer = driver.FindElement(By.Id("explorer"));
        scripts.ExecuteScript("arguments[0].scrollIntoView();", explorer);
        Choose(scripts, "explorer-walk", $"{transform} / linear", byText: true);
        var className = manifest.Classes[2];
        Choose(scripts, "explorer-class", className);
        var start = Convert.ToInt32(driver.FindElement(By.Id("explorer-alpha")).GetAttribute("value"));
        // The explorer opens each walk at the α nearest the identity edit (0 for a shift).
        Assert.Equal(manifest.Alphas.Select((a, i) => (Math.Abs(a), i)).Min().i, start);
        var before = CheckFrames(driver, sweep, manifests, className, start);
        scripts.ExecuteScript("arguments[0].scrollIntoView();", explorer);
        Screenshot(driver, "explorer-alpha-start.png");

        driver.FindElement(By.TagName("body")).SendKeys(Keys.ArrowRight);

        Assert.Equal((start + 1).ToString(), driver.FindElement(By.Id("explorer-alpha")).GetAttribute("value"));
        var after = CheckFrames(driver, sweep, manifests, className, start + 1);
        Assert.NotEqual(before, after);

        var last = manifest.Alphas.Count - 1;
        scripts.ExecuteScript("const s = document.getElementById('explorer-alpha'); s.value = arguments[0]; s.dispatchEvent(new Event('input'));", last);
        CheckFrames(driver, sweep, manifests, className, last);
        scripts.ExecuteScript("arguments[0].scrollIntoView();", explorer);
        Screenshot(driver, "explorer-alpha-last.png");
        Choose(scripts, "explorer-class", "");
        Assert.Equal(regimes.Length * manifest.Classes.Count * manifest.LatentsPerClass * 3, driver.FindElements(By.CssSelector("#explorer .frame")).Count);
    }

    // Picks an option as a person would (the page hears 'change'); fails when no option has that value or text.
    private static void Choose(IJavaScriptExecutor scripts, string id, string wanted, bool byText = false)
    {
        var found = (bool)scripts.ExecuteScript("""
            const s = document.getElementById(arguments[0]);
            const o = Array.from(s.options).find(o => (arguments[2] ? o.textContent : o.value) === arguments[1]);
            if (!o) return false;
            s.value = o.value; s.dispatchEvent(new Event('change')); return true;
            """, id, wanted, byText)!;
        Assert.True(found, $"#{id} has no option '{wanted}'");
    }

    private static ExplorerFrameManifest ReadManifest(string sweep, string transform, string walk, string regime)
    {
        var folder = Path.Combine(sweep, "files", $"transform={transform}", $"walk={walk}", $"regime={regime}");
        var path = Directory.EnumerateFiles(folder, ExplorerFrameFiles.ManifestFile, SearchOption.AllDirectories).Single();
        return ExplorerFrameFiles.ReadManifest(path) ?? throw new InvalidDataException(path);
    }

    /// <summary>
    /// Each regime's frames for <paramref name="className"/> at α index <paramref name="alphaIndex"/>: the boxes name the
    /// α and class, and what Chromium draws in each box is the run's own tile (the sheet beside the walk's other files,
    /// cut at the row and column its manifest gives). Returns the walk tiles' pixels, to tell two α apart.
    /// </summary>
    private static string CheckFrames(ChromeDriver driver, string sweep, IReadOnlyDictionary<string, ExplorerFrameManifest> manifests, string className, int alphaIndex)
    {
        var walkPixels = new List<string>();
        foreach (var (regime, manifest) in manifests)
        {
            // Regimes wrap on a narrow window: bring this one into view before looking at it.
            var panel = driver.FindElement(By.CssSelector($"#explorer .regime[data-regime=\"{regime}\"]"));
            ((IJavaScriptExecutor)driver).ExecuteScript("arguments[0].scrollIntoView();", panel);
            using var shot = SKBitmap.Decode(((ITakesScreenshot)driver).GetScreenshot().AsByteArray);
            // Element locations are page coordinates; the screenshot is of the viewport.
            var scroll = ((IReadOnlyCollection<object>)((IJavaScriptExecutor)driver).ExecuteScript("return [window.scrollX, window.scrollY];")!)
                .Select(o => Convert.ToInt32(o)).ToArray();
            var folder = Path.GetDirectoryName(Directory.EnumerateFiles(Path.Combine(sweep, "files", $"transform={manifest.Transform}", $"walk={manifest.Walk}",
                $"regime={regime}"), ExplorerFrameFiles.ManifestFile, SearchOption.AllDirectories).Single())!;
            using var sheet = SKBitmap.Decode(Path.Combine(folder, ExplorerFrameFiles.SheetFile));
            var alpha = manifest.Alphas[alphaIndex];
            var frames = driver.FindElements(By.CssSelector($"#explorer .frame[data-regime=\"{regime}\"]"));
            Assert.Equal(manifest.LatentsPerClass * 3, frames.Count);
            var classRow = manifest.Classes.ToList().IndexOf(className) * manifest.LatentsPerClass;
            foreach (var frame in frames)
            {
                Assert.Equal(className, frame.GetAttribute("data-cls"));
                Assert.Equal(alpha, double.Parse(frame.GetAttribute("data-alpha")!, System.Globalization.CultureInfo.InvariantCulture));
                var latent = int.Parse(frame.GetAttribute("data-latent")!);
                var kind = frame.GetAttribute("data-kind");
                var column = kind switch { "walk" => 1 + alphaIndex, "target" => 1 + manifest.Alphas.Count + alphaIndex, _ => 0 };
                var (x0, y0) = (column * manifest.Tile, (classRow + latent) * manifest.Tile);
                // Sample the centre of every sheet pixel as drawn (scaled, nearest neighbour) and compare with the sheet.
                var box = frame.Location;
                var scale = frame.Size.Width / (double)manifest.Tile;
                Assert.Equal(ExplorerSection.Scale, scale);
                var worst = 0;
                var pixels = new System.Text.StringBuilder();
                for (var y = 0; y < manifest.Tile; y++)
                {
                    for (var x = 0; x < manifest.Tile; x++)
                    {
                        var expected = sheet.GetPixel(x0 + x, y0 + y);
                        var drawn = shot.GetPixel(box.X - scroll[0] + (int)((x + 0.5) * scale), box.Y - scroll[1] + (int)((y + 0.5) * scale));
                        worst = Math.Max(worst, Math.Max(Math.Abs(expected.Red - drawn.Red), Math.Max(Math.Abs(expected.Green - drawn.Green), Math.Abs(expected.Blue - drawn.Blue))));
                        pixels.Append(expected.Red).Append(',');
                    }
                }
                // A few levels of colour conversion are allowed; another tile of the sheet differs far more.
                Assert.True(worst <= 8, $"{regime} {kind} latent {latent} at α = {alpha}: the drawn frame differs from the sheet's tile by up to {worst} levels");
                if (kind == "walk")
                {
                    walkPixels.Add(pixels.ToString());
                }
            }
        }
        return string.Join("|", walkPixels);
    }

    /// <summary>Saves a screenshot of the viewport into the test's output folder and prints its path.</summary>
    private static byte[] Screenshot(ChromeDriver driver, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        var bytes = ((ITakesScreenshot)driver).GetScreenshot().AsByteArray;
        File.WriteAllBytes(path, bytes);
        Console.WriteLine($"screenshot: {path}");
        return bytes;
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
        using var driver = OpenChromium(index);
        var (loaded, broken) = WaitForImages((IJavaScriptExecutor)driver);
        return (loaded, broken, ((ITakesScreenshot)driver).GetScreenshot().AsByteArray);
    }

    private static ChromeDriver OpenChromium(string index)
    {
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-dev-shm-usage", "--window-size=1600,1400", "--force-device-scale-factor=1");
        var service = ChromeDriverService.CreateDefaultService(DriverFolder, DriverName);
        service.SuppressInitialDiagnosticInformation = true;
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        driver.Navigate().GoToUrl(new Uri(index).AbsoluteUri);
        return driver;
    }

    private static (int Loaded, List<string> Broken) WaitForImages(IJavaScriptExecutor scripts)
    {
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
        return (loaded, broken);
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
