// Test helpers for live inputs: child processes that never outlive the test, and a private nginx
// (RTMP module + a static HTTP location for HLS) on free loopback ports with everything it
// writes in its own temporary directory. Nothing here needs root, the system nginx or port 80.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pitchtrack::testing {

// An executable's absolute path: `name` itself when it contains a '/', else the first match on
// PATH, then /usr/sbin and /sbin (nginx lives there); empty when not found.
std::string find_executable(const std::string& name);

// A free TCP port on 127.0.0.1 (bound and released; the caller binds it soon after).
int free_loopback_port();

// True once 127.0.0.1:`port` accepts a TCP connection, false after `timeout`.
bool wait_for_port(int port, std::chrono::milliseconds timeout);

// Polls `done` every 50 ms until it holds or `timeout` passes; returns its last value.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// A child process (argv[0] an absolute path) with stdin from /dev/null and stdout+stderr to
// `log_path`. It is killed (SIGKILL) and reaped by kill() and by the destructor, and the kernel
// kills it if the test process dies first, so a failing or crashing test leaves nothing behind.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  bool running();                // not exited yet
  void kill(int signal_number);  // signal, then reap (SIGKILL: at once; else waits up to 5 s, then SIGKILL)
  void send(int signal_number);  // sends the signal only, no wait
  // Waits for the exit; its code (128 + signal when killed), or nothing after `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  bool reap(int options);  // true once reaped (exit_code_ set)
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// A private nginx: RTMP application `live` on rtmp_port(), and http://127.0.0.1:http_port()/hls/
// serving hls_dir(). start() returns an error message (empty when it is up).
class LocalNginx {
 public:
  LocalNginx();
  ~LocalNginx();  // stops nginx, removes the directory
  LocalNginx(const LocalNginx&) = delete;
  LocalNginx& operator=(const LocalNginx&) = delete;

  // Empty when nginx, its RTMP module or ffmpeg is missing; else what is missing.
  static std::string missing_tools();

  std::string start();
  int rtmp_port() const { return rtmp_port_; }
  int http_port() const { return http_port_; }
  const std::string& dir() const { return dir_; }
  std::string hls_dir() const { return dir_ + "/hls"; }
  std::string rtmp_url(const std::string& stream) const;
  std::string hls_url(const std::string& playlist) const;
  std::string error_log() const;  // contents of nginx's error log (for failure messages)

 private:
  std::string dir_;
  int rtmp_port_ = 0;
  int http_port_ = 0;
  ChildProcess nginx_;
};

// `ffmpeg -re` publishing `clip` in a loop, stream-copied: to RTMP (`-f flv URL`) or as a live
// HLS playlist (1 s segments, the last 5 listed) written to `hls_playlist`.
ChildProcess publish_rtmp(const std::string& clip, const std::string& url, const std::string& log_path);
ChildProcess publish_hls(const std::string& clip, const std::string& hls_playlist,
                         const std::string& log_path);

std::string read_text_file(const std::string& path);

}  // namespace pitchtrack::testing
