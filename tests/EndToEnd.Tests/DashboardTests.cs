using System.Net;
using CameraNet.Cli;
using CameraNet.Contracts;
using CameraNet.DevStack;
using CameraNet.Messaging;
using CameraNet.TestKit;
using NATS.Client.JetStream;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace CameraNet.EndToEnd.Tests;

/// <summary>
/// The dashboard in a real browser (Debian's chromium, headless, through chromedriver): sign in, the map, the camera
/// form's validation, the table, a division's figures, a live plate for an analyst and none for a viewer.
/// Screenshots of each page go to .cameranet/test-output/dashboard/.
/// </summary>
public sealed class DashboardTests(PostgresFixture postgres)
{
    private const string Password = "Kx9-dashboard-2026!";

    [Fact]
    public async Task Operators_register_cameras_managers_read_the_map_and_only_analysts_see_live_plates()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stack = await InventoryWithNats.StartAsync(postgres, "dashboard", ct);
        var (run, nats, inventory, admin) = (stack.Run, stack.Nats, stack.Inventory, stack.Admin);
        foreach (var (user, role) in new[] { ("zhang.op", "operator"), ("li.analyst", "analyst"), ("zhao.viewer", "viewer") })
        {
            await stack.AddUserAsync(user, role, Password, ct);
        }

        var shots = Path.Combine(RepoPaths.DataDirectory, "test-output", "dashboard");
        Directory.CreateDirectory(shots);
        using var browser = Browser();
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(20));
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException)); // pages redraw as data arrives
        void Shot(string name) => ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(Path.Combine(shots, name + ".png"));
        IWebElement Find(string css) => wait.Until(d => d.FindElements(By.CssSelector(css)).FirstOrDefault(e => e.Displayed));

        // The map is redrawn when data arrives: an element found just before may be replaced; find it again.
        void Click(string css) => wait.Until(_ =>
        {
            try
            {
                Find(css).Click();
                return true;
            }
            catch (StaleElementReferenceException)
            {
                return false;
            }
        });

        void SignIn(string user, string? purpose = null)
        {
            browser.Navigate().GoToUrl(inventory.BaseUrl);
            Find("#login-form input[name=username]").SendKeys(user);
            Find("#login-form input[name=password]").SendKeys(Password);
            if (purpose is not null)
            {
                Find("#login-form input[name=purpose]").SendKeys(purpose);
            }

            Find("#login-form button[type=submit]").Click();
            wait.Until(d => d.FindElements(By.CssSelector("#map-svg path")).Count >= 16);
        }

        void SignOut()
        {
            Find("#sign-out").Click();
            Find("#login-form");
        }

        // Operator: the map of districts, then the camera form: invalid, then valid.
        SignIn("zhang.op");
        Find("#legend .swatch");
        Shot("1-map-districts");
        Overlaps(browser, "#map-svg text, #legend .item, .toolbar > *, header h1, header nav button, #who").ShouldBeEmpty("no text on the map page overlaps other text");
        ((IJavaScriptExecutor)browser).ExecuteScript("return document.querySelectorAll('#map-svg text').length").ShouldNotBe(0L, "districts large enough carry their names");
        Find("button[data-tab=cameras]").Click();
        Find("#show-register").Click();
        var form = Find("#register-form");
        form.FindElement(By.Name("id")).SendKeys("12345");
        form.FindElement(By.Name("name")).SendKeys("南京路与营口道交口");
        form.FindElement(By.CssSelector("button[type=submit]")).Click();
        wait.Until(_ => form.FindElement(By.CssSelector(".field-error[data-for=id]")).Text.Length > 0);
        form.FindElement(By.CssSelector(".field-error[data-for=id]")).Text.ShouldContain("20");
        (form.FindElement(By.Name("id")).GetDomAttribute("class") ?? string.Empty).ShouldContain("invalid");
        Shot("2-register-invalid");
        void Type(string field, string value)
        {
            var input = form.FindElement(By.Name(field));
            input.Clear();
            input.SendKeys(value);
        }

        Type("id", "12010100001320000077");
        Type("longitude", "117.19668");
        Type("latitude", "39.11955");
        Type("azimuth", "90");
        Type("mainStreamUrl", "rtsp://192.0.2.10/stream1");
        form.FindElement(By.CssSelector("select[name=districtCode] option[value='120101']")).Click();
        form.FindElement(By.CssSelector("button[type=submit]")).Click();
        wait.Until(d => d.FindElements(By.CssSelector("#camera-table tbody tr[data-id='12010100001320000077']")).Count == 1);
        Find("#camera-table tbody tr[data-id='12010100001320000077']").Text.ShouldContain("和平区");
        Shot("3-cameras-table");

        // Edit it from its detail view: saved with the version read.
        Find("#camera-table tbody tr[data-id='12010100001320000077']").Click();
        Click("#edit-camera");
        Type("name", "南京路与营口道交口（东）");
        form.FindElement(By.CssSelector("button[type=submit]")).Click();
        wait.Until(d => d.FindElements(By.CssSelector("#camera-table tbody tr[data-id='12010100001320000077']")).FirstOrDefault()?.Text.Contains("（东）") == true);

        // Township filter: the camera's township lists it, another township does not.
        var township = (await admin.GetAsync("api/cameras/12010100001320000077", ct))["townshipCode"]!.GetValue<string>();
        Find("#camera-filter select[name=district] option[value='120101']").Click();
        Find($"#camera-filter select[name=township] option[value='{township}']").Click();
        Find("#camera-filter button[type=submit]").Click();
        wait.Until(d => d.FindElements(By.CssSelector("#camera-table tbody tr[data-id]")).Count == 1);

        // CSV import: a file with a bad row is refused whole, and the report names the row and the field.
        var csv = Path.Combine(run.Path, "cameras.csv");
        await File.WriteAllTextAsync(csv,
            "id,name,kind,districtCode,longitude,latitude,azimuth,fieldOfView,range,mainStreamUrl,decodeMode\n" +
            "12010100001320000078,和平 一,monitoringClass2,120101,117.1970,39.1190,0,60,50,rtsp://192.0.2.11/s,keyframe\n" +
            "12010100001320000079,和平 二,monitoringClass2,120101,117.1970,39.1190,0,60,50,http://not-rtsp/,keyframe\n", ct);
        browser.FindElement(By.Id("import-file")).SendKeys(csv);
        wait.Until(d => d.FindElement(By.Id("import-status")).Text.Length > 0 && !d.FindElement(By.Id("import-status")).Text.StartsWith("上传", StringComparison.Ordinal));
        browser.FindElements(By.CssSelector("#import-errors tbody tr")).Count.ShouldBe(1, browser.FindElement(By.Id("import-status")).Text);
        var problem = Find("#import-errors tbody tr").Text;
        problem.ShouldContain("mainStreamUrl");
        problem.ShouldStartWith("2");
        Shot("3b-import-report");

        // The map: a district's figures, then its townships with the new camera on them.
        Find("button[data-tab=map]").Click();
        wait.Until(d => d.FindElement(By.CssSelector("#map-title")).Text.Contains("districts"));
        Click("#map-svg path[data-code='120101']");
        wait.Until(d => d.FindElement(By.CssSelector("#map-detail")).Text.Contains("和平区"));
        Find("#map-detail").Text.ShouldContain("摄像机 Cameras");
        Shot("4-map-district-detail");
        Click("#open-district");
        wait.Until(d => d.FindElements(By.CssSelector("#map-svg circle")).Count == 1);
        Find("#map-svg path.wedge"); // its field of view, drawn from azimuth, angle and range
        Shot("5-map-townships");
        Find("button[data-tab=health]").Click();
        wait.Until(d => d.FindElement(By.CssSelector("#health-table tbody")).Text.Contains("和平区"));
        Find("#worker-table tbody").Text.ShouldContain("No worker has reported yet");
        Shot("5b-health");
        SignOut();

        // Analyst: the live feed; a capture published now shows up with its crop.
        SignIn("li.analyst", "case 2026-1123 hit-and-run");
        Find("button[data-tab=live]").Click();
        Find("#live-start").Click();
        wait.Until(d => d.FindElement(By.CssSelector("#live-status")).Text.Contains("live"));
        await using var publisher = new NatsSettings(nats.Url, Name: "dashboard-test").Connect();
        var js = new NatsJSContext(publisher);
        await PlateStreams.EnsurePlatesAsync(js, TimeSpan.FromDays(30), TimeSpan.FromMinutes(10), ct);
        var capture = AnalystAccessTests.Capture("津A9D8K7", "120101", "120101001") with { CropJpeg = Convert.FromBase64String(TinyJpeg) };
        await AnalystAccessTests.PublishAsync(js, capture, ct);
        wait.Until(d => d.FindElements(By.CssSelector("#live-table tbody tr")).Count == 1);
        Find("#live-table tbody tr").Text.ShouldContain("津A9D8K7");
        Find("#live-table tbody tr img");
        Shot("6-live-plates");
        Find("#live-stop").Click();
        SignOut();

        // Viewer: no live tab, and the API refuses the feed.
        SignIn("zhao.viewer");
        browser.FindElement(By.CssSelector("button[data-tab=live]")).Displayed.ShouldBeFalse();
        Shot("7-viewer");
        var viewerToken = (await admin.PostJsonAsync("api/auth/login", new { username = "zhao.viewer", password = Password }, ct))["token"]!.GetValue<string>();
        using var viewer = new InventoryApi(inventory.BaseUrl, viewerToken);
        (await Should.ThrowAsync<InventoryApiException>(() => viewer.GetTextAsync("api/plates/live?district=120101&purpose=just%20looking", ct))).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Should.ThrowAsync<InventoryApiException>(() => admin.GetTextAsync("api/plates/live?district=120101&purpose=system%20check", ct))).Status
            .ShouldBe(HttpStatusCode.Forbidden, "the live feed is for analysts; administrators run the system, they do not watch traffic");

        var audit = (await admin.GetAsync("api/audit?action=plates.live&limit=10", ct)).AsArray();
        audit.ShouldContain(a => a!["actor"]!.GetValue<string>() == "li.analyst" && a["purpose"]!.GetValue<string>() == "case 2026-1123 hit-and-run");
    }

    /// <summary>Pairs of visible elements matching <paramref name="css"/> whose boxes intersect (by more than a pixel), named by their text.</summary>
    private static IReadOnlyList<string> Overlaps(IWebDriver browser, string css)
    {
        var found = ((IJavaScriptExecutor)browser).ExecuteScript("""
            const boxes = [...document.querySelectorAll(arguments[0])]
              .map(e => ({ text: (e.textContent || '').trim().slice(0, 30), r: e.getBoundingClientRect() }))
              .filter(b => b.r.width > 0 && b.r.height > 0);
            const hits = [];
            for (let i = 0; i < boxes.length; i++)
              for (let j = i + 1; j < boxes.length; j++) {
                const a = boxes[i].r, b = boxes[j].r;
                const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
                if (w > 1 && h > 1 && !(boxes[i].text.includes(boxes[j].text) || boxes[j].text.includes(boxes[i].text)))
                  hits.push(`${boxes[i].text} × ${boxes[j].text}`);
              }
            return hits;
            """, css);
        return found is IEnumerable<object> hits ? [.. hits.Select(o => o.ToString()!)] : throw new InvalidOperationException("the overlap check returned no list");
    }

    private static ChromeDriver Browser()
    {
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=zh-CN");
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>An 8×8 grey JPEG, standing in for a plate crop.</summary>
    private const string TinyJpeg =
        "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAAIAAgBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=";
}
