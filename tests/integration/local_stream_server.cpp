#include "integration/local_stream_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace pitchtrack::testing {
namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {
constexpr const char* kRtmpModule = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

bool is_executable(const std::string& path) { return !path.empty() && ::access(path.c_str(), X_OK) == 0; }

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}
}  // namespace

std::string find_executable(const std::string& name) {
  if (name.find('/') != std::string::npos) return is_executable(name) ? name : std::string();
  std::string dirs = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "/usr/bin:/bin";
  dirs += ":/usr/sbin:/sbin:/usr/local/sbin";
  std::stringstream ss(dirs);
  std::string d;
  while (std::getline(ss, d, ':')) {
    if (d.empty()) continue;
    const std::string p = d + "/" + name;
    if (is_executable(p)) return p;
  }
  return {};
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a = loopback(0);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    socklen_t len = sizeof a;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

bool wait_for_port(int port, milliseconds timeout) {
  return wait_until(
      [port] {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) return false;
        sockaddr_in a = loopback(port);
        const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        ::close(fd);
        return ok;
      },
      timeout);
}

bool wait_until(const std::function<bool()>& done, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(milliseconds(50));
  }
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_path) {
  // Everything the child needs is prepared before fork(): the test process has other threads,
  // so the child may only make async-signal-safe calls until exec.
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);       // the test died: so do its servers and publishers
    if (::getppid() != parent) ::_exit(127);  // it died before prctl
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in >= 0) ::dup2(in, STDIN_FILENO);
    if (out >= 0) {
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  pid_ = pid;
}

ChildProcess::~ChildProcess() { kill(SIGKILL); }

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_), exit_code_(other.exit_code_) {
  other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill(SIGKILL);
    pid_ = other.pid_;
    exit_code_ = other.exit_code_;
    other.pid_ = -1;
  }
  return *this;
}

bool ChildProcess::reap(int options) {
  if (pid_ <= 0) return true;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, options);
  if (r == 0) return false;  // WNOHANG: still running
  if (r == pid_) exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_ = -1;
  return true;
}

bool ChildProcess::running() { return !reap(WNOHANG); }

void ChildProcess::send(int signal_number) {
  if (pid_ > 0) ::kill(pid_, signal_number);
}

std::optional<int> ChildProcess::wait_exit(milliseconds timeout) {
  if (!wait_until([this] { return !running(); }, timeout)) return std::nullopt;
  return exit_code_;
}

void ChildProcess::kill(int signal_number) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal_number);
  if (signal_number != SIGKILL) {
    if (wait_until([this] { return !running(); }, milliseconds(5000))) return;
    ::kill(pid_, SIGKILL);
  }
  reap(0);
}

LocalNginx::LocalNginx() {
  static std::atomic<int> counter{0};
  dir_ = (fs::temp_directory_path() /
          ("pt_live_" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1))))
             .string();
  fs::remove_all(dir_);
  fs::create_directories(dir_ + "/hls");
}

LocalNginx::~LocalNginx() {
  nginx_.kill(SIGKILL);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string LocalNginx::missing_tools() {
  std::string missing;
  if (find_executable("nginx").empty()) missing += " nginx";
  if (!fs::exists(kRtmpModule)) missing += std::string(" ") + kRtmpModule + " (libnginx-mod-rtmp)";
  if (find_executable("ffmpeg").empty()) missing += " ffmpeg";
  return missing;
}

std::string LocalNginx::start() {
  const std::string nginx = find_executable("nginx");
  if (nginx.empty()) return "nginx not found";
  // Ports are chosen free and bound by nginx a moment later; another process could take one in
  // between, so a failed start is retried with new ports.
  for (int attempt = 0; attempt < 3; ++attempt) {
    rtmp_port_ = free_loopback_port();
    http_port_ = free_loopback_port();
    if (rtmp_port_ == 0 || http_port_ == 0 || rtmp_port_ == http_port_) continue;
    // master_process off: one process, no privilege drop to a user that could not read dir_
    // when the tests run as root; no path outside dir_.
    std::ofstream conf(dir_ + "/nginx.conf");
    conf << "load_module " << kRtmpModule << ";\n"
         << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
         << "pid " << dir_ << "/nginx.pid;\n"
         << "error_log " << dir_ << "/error.log info;\n"
         << "events { worker_connections 128; }\n"
         << "rtmp {\n  server {\n    listen 127.0.0.1:" << rtmp_port_ << ";\n"
         << "    application live { live on; record off; }\n  }\n}\n"
         << "http {\n  access_log off;\n"
         << "  client_body_temp_path " << dir_ << "/tmp_body;\n"
         << "  proxy_temp_path " << dir_ << "/tmp_proxy;\n"
         << "  fastcgi_temp_path " << dir_ << "/tmp_fastcgi;\n"
         << "  uwsgi_temp_path " << dir_ << "/tmp_uwsgi;\n"
         << "  scgi_temp_path " << dir_ << "/tmp_scgi;\n"
         << "  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }\n"
         << "  server {\n    listen 127.0.0.1:" << http_port_ << ";\n"
         << "    location /hls/ { alias " << dir_ << "/hls/; add_header Cache-Control no-cache; }\n"
         << "  }\n}\n";
    conf.close();
    // -e: the error log from the start (before the config is read), not /var/log/nginx.
    nginx_ = ChildProcess({nginx, "-p", dir_ + "/", "-c", dir_ + "/nginx.conf", "-e", dir_ + "/error.log"},
                          dir_ + "/nginx.out");
    if (wait_for_port(rtmp_port_, milliseconds(5000)) && wait_for_port(http_port_, milliseconds(2000))) {
      return {};
    }
    nginx_.kill(SIGKILL);
  }
  return "nginx did not start: " + read_text_file(dir_ + "/nginx.out") + error_log();
}

std::string LocalNginx::rtmp_url(const std::string& stream) const {
  return "rtmp://127.0.0.1:" + std::to_string(rtmp_port_) + "/live/" + stream;
}

std::string LocalNginx::hls_url(const std::string& playlist) const {
  return "http://127.0.0.1:" + std::to_string(http_port_) + "/hls/" + playlist;
}

std::string LocalNginx::error_log() const { return read_text_file(dir_ + "/error.log"); }

ChildProcess publish_rtmp(const std::string& clip, const std::string& url, const std::string& log_path) {
  return ChildProcess({find_executable("ffmpeg"), "-hide_banner", "-nostdin", "-loglevel", "warning", "-re",
                       "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "flv", url},
                      log_path);
}

ChildProcess publish_hls(const std::string& clip, const std::string& hls_playlist,
                         const std::string& log_path) {
  const std::string dir = fs::path(hls_playlist).parent_path().string();
  return ChildProcess({find_executable("ffmpeg"),
                       "-hide_banner",
                       "-nostdin",
                       "-loglevel",
                       "warning",
                       "-re",
                       "-stream_loop",
                       "-1",
                       "-i",
                       clip,
                       "-c",
                       "copy",
                       "-f",
                       "hls",
                       "-hls_time",
                       "1",
                       "-hls_list_size",
                       "5",
                       "-hls_flags",
                       "delete_segments+temp_file",
                       "-hls_segment_filename",
                       dir + "/seg%05d.ts",
                       hls_playlist},
                      log_path);
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace pitchtrack::testing
