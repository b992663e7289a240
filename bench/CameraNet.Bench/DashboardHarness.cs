using System.Diagnostics;
using CameraNet.Cli;
using CameraNet.DevStack;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace CameraNet.Bench;

/// <summary>
/// The dashboard in headless chromium over a real inventory: time from opening the page (signed in) to the district map
/// drawn, and from opening the camera tab to its first page drawn, with an empty register (the same-run baseline) and
/// then with <c>--count</c> cameras (1.1 M by default). Target: ≤ 2 s each with 1.1 M cameras.
/// </summary>
public static class DashboardHarness
{
    private const string Password = "Kx9-bench-dashboard!";

    public static async Task<int> RunAsync(string[] args)
    {
        var count = Harness.Option(args, "--count", 1_100_000);
        var rounds = Harness.Option(args, "--rounds", 5);
        await using var register = await BenchRegister.StartAsync("dashboard", "dashboard benchmark");
        var keys = LocalKeys.Generate();
        var inventory = await LocalInventory.StartAsync(register.Run, register.ConnectionString, keys);
        using var admin = new InventoryApi(inventory.BaseUrl, keys.Admin);
        await admin.PostJsonAsync("api/users", new { username = "manager", displayName = "Manager", role = "admin", password = Password });
        using var browser = Browser();
        var empty = Measure(browser, inventory.BaseUrl, rounds);
        Harness.Say($"empty register: map {empty.Map:0} ms, camera table {empty.Table:0} ms (median of {rounds})");

        var file = register.Generate(count, credentials: false);
        var imported = await register.ImportAsync(file);
        Harness.Say($"register: {imported.Inserted:N0} cameras imported in {imported.Seconds:0.0} s");
        await inventory.DisposeAsync(); // restart: the coverage model is built from the full register at start
        inventory = await LocalInventory.StartAsync(register.Run, register.ConnectionString, keys);
        var clock = Stopwatch.StartNew();
        using var probe = new InventoryApi(inventory.BaseUrl, keys.Admin);
        await probe.GetAsync("api/coverage/districts");
        Harness.Say($"inventory restarted; first coverage report after {clock.Elapsed.TotalSeconds:0.0} s (model build)");
        foreach (var path in new[] { "api/auth/me", "api/divisions", "api/divisions/shapes?level=district", "api/coverage/districts", "api/cameras?limit=50&status=active" })
        {
            var times = new List<double>();
            for (var i = 0; i < 3; i++)
            {
                clock.Restart();
                await probe.GetTextAsync(path);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            Harness.Say($"  GET /{path}: median {Harness.Median(times):0} ms");
        }

        var full = Measure(browser, inventory.BaseUrl, rounds);
        Harness.Say($"{count:N0} cameras: map {full.Map:0} ms ({full.Map / Math.Max(1, empty.Map):0.0}x empty), camera table {full.Table:0} ms ({full.Table / Math.Max(1, empty.Table):0.0}x empty) (target <= 2000 ms each)");
        await inventory.DisposeAsync();
        return full.Map <= 2000 && full.Table <= 2000 ? 0 : 1;
    }

    /// <summary>Median over rounds of: page opened (signed in) → district map drawn; camera tab clicked → first page drawn.</summary>
    private static (double Map, double Table) Measure(ChromeDriver browser, Uri site, int rounds)
    {
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(60)) { PollingInterval = TimeSpan.FromMilliseconds(20) };
        browser.Navigate().GoToUrl(site);
        if (browser.FindElements(By.CssSelector("#login-form input[name=username]")).FirstOrDefault(e => e.Displayed) is { } user)
        {
            user.SendKeys("manager");
            browser.FindElement(By.CssSelector("#login-form input[name=password]")).SendKeys(Password);
            browser.FindElement(By.CssSelector("#login-form button[type=submit]")).Click();
            wait.Until(d => d.FindElements(By.CssSelector("#map-svg path")).Count >= 16);
        }

        var maps = new List<double>();
        var tables = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            browser.Navigate().Refresh(); // signed in (session storage): the page loads and draws the map
            var map = wait.Until(d => ((IJavaScriptExecutor)d).ExecuteScript(
                "const m = performance.getEntriesByName('cameranet:map-drawn'); return m.length ? m[0].startTime : null;"));
            maps.Add(Convert.ToDouble(map, System.Globalization.CultureInfo.InvariantCulture));
            var script = (IJavaScriptExecutor)browser;
            var started = Convert.ToDouble(script.ExecuteScript("performance.clearMarks('cameranet:cameras-drawn'); return performance.now();"), System.Globalization.CultureInfo.InvariantCulture);
            browser.FindElement(By.CssSelector("button[data-tab=cameras]")).Click();
            var drawn = wait.Until(d => ((IJavaScriptExecutor)d).ExecuteScript(
                "const m = performance.getEntriesByName('cameranet:cameras-drawn'); return m.length ? m[0].startTime : null;"));
            tables.Add(Convert.ToDouble(drawn, System.Globalization.CultureInfo.InvariantCulture) - started);
            browser.FindElement(By.CssSelector("button[data-tab=map]")).Click();
        }

        return (Harness.Median(maps), Harness.Median(tables));
    }

    private static ChromeDriver Browser()
    {
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(120));
    }
}
